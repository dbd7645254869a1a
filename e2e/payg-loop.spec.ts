// The acceptance loop of the Pay-As-You-Go product, as a new user does it in Chromium: sign up → top
// up $20 in the sandbox → create a key → the official `openai` client completes a chat, streamed and
// not → the balance falls by exactly the priced cost → the usage page shows both calls.
import OpenAI from "openai";
import { expect } from "@playwright/test";
import { displayUsd } from "../lib/money";
import { INSTANCES, balanceOf, signUpInBrowser, test } from "./fixtures";

const INPUT_PER_MTOK = 500_000n;
const OUTPUT_PER_MTOK = 1_500_000n;
const cost = (input: number, output: number) => {
  const raw = BigInt(input) * INPUT_PER_MTOK + BigInt(output) * OUTPUT_PER_MTOK;
  return (raw + 999_999n) / 1_000_000n;
};

test("sign up, top up, create a key, call the API, see the charge and the usage", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signUpInBrowser(page);

  // Top up $20 through the sandbox checkout.
  await page.getByRole("button", { name: "$20", exact: true }).click();
  await page.getByRole("button", { name: "Add funds" }).click();
  await expect(page).toHaveURL(/\/billing\/sandbox-checkout\/cs_sandbox_/);
  await expect(page.getByText(/sandbox/i).first()).toBeVisible();
  const checkoutUrl = page.url();
  await page.getByRole("button", { name: /Pay \$20\.00/ }).click();
  await expect(page).toHaveURL(/\/billing\?checkout=success/);
  await expect(page.getByTestId("available-balance")).toHaveText("$20.00");

  // The paid checkout cannot be paid again.
  await page.goto(checkoutUrl);
  await expect(page.getByText(/already paid/i).first()).toBeVisible();
  await expect(page.getByRole("button", { name: /Pay \$20\.00/ })).toHaveCount(0);
  await page.goto("/billing");
  await expect(page.getByTestId("available-balance")).toHaveText("$20.00");

  // Create a production key; it is shown once, with a copy button.
  await page.getByRole("link", { name: "API keys" }).click();
  await page.getByLabel("Name", { exact: true }).fill("e2e production");
  await page.getByText("Production", { exact: true }).click();
  await page.getByRole("button", { name: "Create key" }).click();
  const secret = (await page.getByTestId("new-key").textContent())!.trim();
  expect(secret).toMatch(/^sk-live-[0-9A-Za-z]{40}$/);
  await page.getByRole("button", { name: "Copy", exact: true }).click();
  await expect(page.getByText("Copied to the clipboard.")).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);

  // The official openai client, pointed at the gateway.
  const openai = new OpenAI({ apiKey: secret, baseURL: `${INSTANCES[0]}/v1`, maxRetries: 0 });
  const completion = await openai.chat.completions.create({
    model: "sandbox/chat",
    messages: [{ role: "user", content: "Hello from the e2e test" }],
  });
  expect(completion.choices[0]!.message.content).toContain("Meterway sandbox");
  const u1 = completion.usage!;
  const cost1 = cost(u1.prompt_tokens, u1.completion_tokens);
  expect(BigInt((u1 as unknown as { cost_micros: number }).cost_micros)).toBe(cost1);

  const stream = await openai.chat.completions.create({
    model: "sandbox/chat",
    messages: [{ role: "user", content: "Stream, please" }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let streamed = "";
  let u2: (OpenAI.CompletionUsage & { cost_micros?: number }) | undefined;
  let chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    streamed += chunk.choices[0]?.delta?.content ?? "";
    if (chunk.usage) u2 = chunk.usage;
  }
  expect(chunks).toBeGreaterThan(5);
  expect(streamed).toContain("Meterway sandbox");
  const cost2 = cost(u2!.prompt_tokens, u2!.completion_tokens);
  expect(BigInt(u2!.cost_micros!)).toBe(cost2);

  // The balance fell by exactly the priced cost, in the API and on the page.
  const expected = 20_000_000n - cost1 - cost2;
  const balance = await balanceOf(secret);
  expect(BigInt(balance.balance_micros)).toBe(expected);
  expect(balance.reserved_micros).toBe(0);
  await page.goto("/billing");
  await expect(page.getByTestId("available-balance")).toHaveText(displayUsd(expected));

  // The usage page shows both calls.
  await page.getByRole("link", { name: "Usage" }).click();
  const table = page.getByRole("table", { name: "Recent requests" });
  await expect(table.getByRole("row").filter({ hasText: "sandbox/chat" })).toHaveCount(2);
  await expect(table).toContainText(displayUsd(cost1));
  await expect(table).toContainText(displayUsd(cost2));
});

test("a key revoked in the portal is refused by both instances within a second", async ({ page }) => {
  await signUpInBrowser(page);
  await page.getByRole("link", { name: "API keys" }).click();
  await page.getByLabel("Name", { exact: true }).fill("to revoke");
  await page.getByRole("button", { name: "Create key" }).click();
  const secret = (await page.getByTestId("new-key").textContent())!.trim();
  await page.getByRole("button", { name: "I've saved it" }).click();

  const status = (base: string) => fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${secret}` } }).then((r) => r.status);
  expect(await status(INSTANCES[0])).toBe(200);
  expect(await status(INSTANCES[1])).toBe(200); // cached as valid on both instances

  const row = page.getByRole("row").filter({ hasText: "to revoke" });
  await row.getByRole("button", { name: /^Revoke/ }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Revoke key" }).click();
  await expect(row).toContainText("Revoked");
  const revokedAt = Date.now();

  for (const base of INSTANCES) {
    let s = 200;
    while (s !== 401 && Date.now() - revokedAt < 1_000) s = await status(base);
    expect(s, `refused by ${base} within a second`).toBe(401);
  }
});

test("API errors: unknown key 401, unknown model 404, malformed JSON 400, empty balance 402 — none charged", async ({ page }) => {
  await signUpInBrowser(page);
  await page.getByRole("link", { name: "API keys" }).click();
  await page.getByLabel("Name", { exact: true }).fill("errors");
  await page.getByRole("button", { name: "Create key" }).click();
  const secret = (await page.getByTestId("new-key").textContent())!.trim();
  const call = (key: string, body: string) =>
    fetch(`${INSTANCES[0]}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body });

  const unknown = await call(`sk-test-${"A".repeat(40)}`, JSON.stringify({ model: "sandbox/chat", messages: [{ role: "user", content: "x" }] }));
  expect(unknown.status).toBe(401);
  expect(await unknown.json()).toMatchObject({ error: { code: "invalid_api_key" } });

  const noModel = await call(secret, JSON.stringify({ model: "no/such-model", messages: [{ role: "user", content: "x" }] }));
  expect(noModel.status).toBe(404);
  expect(await noModel.json()).toMatchObject({ error: { code: "model_not_found" } });

  const malformed = await call(secret, "{oops");
  expect(malformed.status).toBe(400);
  expect(await malformed.json()).toMatchObject({ error: { code: "invalid_request" } });

  const broke = await call(secret, JSON.stringify({ model: "sandbox/chat", messages: [{ role: "user", content: "x" }] }));
  expect(broke.status).toBe(402);
  expect(await broke.json()).toMatchObject({ error: { code: "insufficient_balance", limit_source: "balance" } });

  const balance = await balanceOf(secret);
  expect(balance).toMatchObject({ balance_micros: 0, reserved_micros: 0 });
});

test("portal pages need a session, and sign-in says what went wrong", async ({ page }) => {
  await page.goto("/keys");
  await expect(page).toHaveURL(/\/sign-in/);
  await page.getByLabel("Email").fill("nobody@example.test");
  await page.getByLabel("Password").fill("wrong password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Wrong email or password." })).toBeVisible();
});
