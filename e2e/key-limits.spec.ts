// Keys of every kind, created in the portal, and their limits as the API enforces them — including a
// daily spend limit that resets when the (test) clock moves into the next day. This file moves the
// shared application clock, so it runs serially and puts the clock back whatever happens.
import { expect, type Page } from "@playwright/test";
import { INSTANCES, portal, setClockOffset, signUpInBrowser, test } from "./fixtures";

test.describe.configure({ mode: "serial" });

const chat = (key: string, model = "sandbox/chat") =>
  fetch(`${INSTANCES[0]}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], max_tokens: 8 }),
  });

async function createKey(page: Page, name: string, options: { production?: boolean; limit?: string; period?: string; models?: string[]; rate?: string; expires?: string } = {}) {
  await page.getByLabel("Name", { exact: true }).fill(name);
  if (options.production) await page.getByText("Production", { exact: true }).click();
  if (options.limit || options.period || options.models || options.rate || options.expires) {
    // The panel stays open after a key is created; open it only when it is closed.
    const panel = page.locator("details", { hasText: "Limits (optional)" });
    if (!(await panel.evaluate((d) => (d as HTMLDetailsElement).open))) await page.getByText("Limits (optional)").click();
    if (options.limit) await page.getByLabel("Spend limit in USD (optional)").fill(options.limit);
    if (options.period) await page.getByLabel("Limit resets").selectOption(options.period);
    if (options.rate) await page.getByLabel("Rate limit per minute (optional)").fill(options.rate);
    for (const m of options.models ?? []) await page.getByRole("checkbox", { name: new RegExp(`^${m}`) }).first().check();
    if (options.expires) await page.getByLabel("Expires on (optional)").fill(options.expires);
  }
  await page.getByRole("button", { name: "Create key" }).click();
  const secret = (await page.getByTestId("new-key").textContent())!.trim();
  await page.getByRole("button", { name: "I've saved it" }).click();
  return secret;
}

test("every kind of key works as configured, and a daily spend limit resets the next day", async ({ page }) => {
  const { email } = await signUpInBrowser(page);
  await portal("credits:grant", "--email", email, "--usd", "5", "--reason", "e2e key limits");
  await page.goto("/keys");

  const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  const dev = await createKey(page, "plain dev");
  const prod = await createKey(page, "prod allowlist", { production: true, models: ["sandbox/embed"], expires: tomorrow });
  const rated = await createKey(page, "rate limited", { rate: "1" });
  const weekly = await createKey(page, "weekly", { limit: "1", period: "WEEKLY" });
  const daily = await createKey(page, "daily capped", { limit: "0.0001", period: "DAILY" });
  expect(dev).toMatch(/^sk-test-/);
  expect(prod).toMatch(/^sk-live-/);

  expect((await chat(dev)).status).toBe(200);
  const refused = await chat(prod);
  expect(refused.status).toBe(403);
  expect(await refused.json()).toMatchObject({ error: { code: "model_not_allowed" } });
  expect((await chat(rated)).status).toBe(200);
  const limited = await chat(rated);
  expect(limited.status).toBe(429);
  expect(limited.headers.get("retry-after")).toBeTruthy();
  expect((await chat(weekly)).status).toBe(200);

  const rows = page.getByRole("table", { name: "Your API keys" }).getByRole("row");
  await page.reload();
  await expect(rows.filter({ hasText: "weekly" }).getByTestId("key-spend")).toContainText("this week");
  await expect(rows.filter({ hasText: "prod allowlist" })).toContainText("Models: sandbox/embed");
  await expect(rows.filter({ hasText: "rate limited" })).toContainText("1 requests/min");

  try {
    // Spend the daily limit ($0.0001) until the API refuses with key_limit.
    let last: Response | undefined;
    for (let i = 0; i < 30; i++) {
      last = await chat(daily);
      if (last.status !== 200) break;
    }
    expect(last!.status).toBe(402);
    expect(await last!.json()).toMatchObject({ error: { code: "insufficient_balance", limit_source: "key_limit" } });
    await page.reload();
    await expect(rows.filter({ hasText: "daily capped" }).getByTestId("key-spend")).toContainText("today");

    // Tomorrow (UTC) the period rolls over and the key may spend again, on both instances.
    const now = new Date();
    const nextDay = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, 0, 5);
    await setClockOffset(nextDay - now.getTime());
    expect((await chat(daily)).status).toBe(200);
    await page.reload();
    await expect(rows.filter({ hasText: "daily capped" }).getByTestId("key-spend")).toContainText(/^\$0\.0000\d\d/);
  } finally {
    await setClockOffset(0);
  }
});
