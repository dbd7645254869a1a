// axe-core on every portal page, in light and dark mode: no serious or critical violations. With
// SCREENSHOTS=1 it also writes docs/screenshots/<page>-<light|dark>.png.
import AxeBuilder from "@axe-core/playwright";
import { expect } from "@playwright/test";
import { INSTANCES, portal, signUpInBrowser, test } from "./fixtures";

test("every portal page passes axe with no serious or critical violations, light and dark", async ({ page }) => {
  // Fourteen page loads, each analysed by axe: 1.8 min on a quiet machine, over 3 min on a busy one.
  test.setTimeout(300_000);
  const { email } = await signUpInBrowser(page);
  await portal("credits:grant", "--email", email, "--usd", "10", "--reason", "Welcome credit");
  await page.goto("/keys");
  await page.getByLabel("Name", { exact: true }).fill("Production app");
  await page.getByText("Production", { exact: true }).click();
  await page.getByText("Limits (optional)").click();
  await page.getByLabel("Spend limit in USD (optional)").fill("25");
  await page.getByLabel("Limit resets").selectOption("MONTHLY");
  await page.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("new-key").textContent())!.trim();
  await page.getByRole("button", { name: "I've saved it" }).click();
  await page.getByLabel("Name", { exact: true }).fill("Staging");
  await page.getByRole("button", { name: "Create key" }).click();
  await page.getByRole("button", { name: "I've saved it" }).click();
  const post = (path: string, body: unknown) =>
    fetch(`${INSTANCES[0]}/v1/${path}`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  for (let i = 0; i < 4; i++) await post("chat/completions", { model: "sandbox/chat", messages: [{ role: "user", content: `Write a haiku about meters, number ${i}` }] });
  await post("embeddings", { model: "sandbox/embed", input: "hello world" });
  await post("images/generations", { model: "sandbox/image", prompt: "a meter", n: 1 });

  await page.goto("/usage/requests");
  const detail = await page.getByRole("table", { name: "Request log" }).getByRole("link").first().getAttribute("href");
  const pages = [
    { name: "billing", path: "/billing" },
    { name: "billing-history", path: "/billing/history" },
    { name: "keys", path: "/keys" },
    { name: "usage", path: "/usage?range=24h" },
    { name: "usage-requests", path: "/usage/requests" },
    { name: "usage-request-detail", path: detail! },
    { name: "getting-started", path: "/getting-started" },
  ];
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const p of pages) {
      await page.goto(p.path);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      if (p.name === "billing-history") await page.getByRole("button", { name: /Show \d+ requests?/ }).first().click();
      if (p.name === "billing-history") await expect(page.getByText(/sandbox\/chat/).first()).toBeVisible();
      const results = await new AxeBuilder({ page }).analyze();
      const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      expect(
        bad.map((v) => `${p.path} (${scheme}): ${v.id} — ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(" | ")}`),
      ).toEqual([]);
      if (process.env.SCREENSHOTS) {
        await page.setViewportSize({ width: 1280, height: 900 });
        await page.screenshot({ path: `docs/screenshots/${p.name}-${scheme}.png`, fullPage: true, animations: "disabled" });
      }
    }
  }
});
