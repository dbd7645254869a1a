// A chat request whose output the gateway capped to what the balance could pay for (x-max-tokens-capped) says so
// in the request log and the request's detail, rather than passing for a plain "Succeeded".
import { expect } from "@playwright/test";
import { INSTANCES, portal, signUpInBrowser, test } from "./fixtures";

test("marks a request whose output the balance capped in the log and its detail", async ({ page }) => {
  const { email } = await signUpInBrowser(page);
  // $0.001 pays for a few hundred of sandbox/chat's 4,096 output tokens: without max_tokens, the output is capped.
  await portal("credits:grant", "--email", email, "--usd", "0.001", "--reason", "e2e capped");
  const { key } = (await portal("key:create", "--email", email, "--name", "capped")) as { key: string };
  const res = await fetch(`${INSTANCES[0]}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "sandbox/chat", messages: [{ role: "user", content: "hello" }] }),
  });
  expect(res.status).toBe(200);
  const cap = Number(res.headers.get("x-max-tokens-capped"));
  expect(cap).toBeGreaterThan(0);
  const formatted = new Intl.NumberFormat("en-US").format(cap);

  await page.goto("/usage/requests");
  const row = page.getByRole("table", { name: "Request log" }).getByRole("row").filter({ hasText: "sandbox/chat" });
  await expect(row.getByTestId("output-capped")).toHaveText(`Output capped at ${formatted} tokens`);
  await row.getByRole("link", { name: /details/ }).click();
  await expect(page.getByTestId("output-capped")).toHaveText(`Output capped at ${formatted} tokens`);
  await expect(page.getByText(`Output capped at ${cap} tokens by the balance`)).toBeVisible();
});
