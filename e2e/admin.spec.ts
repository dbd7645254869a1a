// The operators' console in Chromium: only admins get in (a 404 for everyone else, on every page), an
// admin changes a model's price and the next call is charged it, finds the call on the customer's page
// and in the audit log, and disables a key that both instances then refuse within a second.
import { expect } from "@playwright/test";
import { INSTANCES, fundedCustomer, signInAsNewAdmin, signUpInBrowser, test } from "./fixtures";

const MODEL = "sandbox/chat-e2e-price";

const ADMIN_PAGES = [
  "/admin",
  "/admin/customers",
  "/admin/customers/00000000-0000-4000-8000-000000000000",
  "/admin/models",
  "/admin/models/model",
  `/admin/models/model?id=${encodeURIComponent("sandbox/chat")}`,
  "/admin/models/provider",
  "/admin/codes",
  "/admin/audit",
  "/admin/audit/export",
  "/admin/health",
];


async function chatCall(key: string, base: string) {
  const res = await fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: MODEL, messages: [{ role: "user", content: "What does this cost?" }], max_tokens: 40 }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { usage: { prompt_tokens: number; completion_tokens: number; cost_micros: number } };
  return { requestId: res.headers.get("x-request-id")!, ...body.usage };
}

const priced = (u: { prompt_tokens: number; completion_tokens: number }, input: bigint, output: bigint) =>
  (BigInt(u.prompt_tokens) * input + BigInt(u.completion_tokens) * output + 999_999n) / 1_000_000n;

test("a signed-in non-admin gets 404 on every admin page and sees no Admin link; signed out, sign-in comes first", async ({ page }) => {
  // Signed out: like every portal page, sign-in first (or a 404 for the CSV route) — never admin content.
  for (const path of ADMIN_PAGES) {
    const res = await page.goto(path);
    if (res?.status() !== 404) await expect(page, `anonymous ${path}`).toHaveURL(/\/sign-in/);
    await expect(page.getByRole("navigation", { name: "Admin" })).toHaveCount(0);
  }
  await signUpInBrowser(page);
  await expect(page.getByRole("link", { name: "Admin" })).toHaveCount(0);
  for (const path of ADMIN_PAGES) {
    const res = await page.goto(path);
    expect(res?.status(), `user ${path}`).toBe(404);
  }
});

test("an admin changes a model's price; the next call is charged it and shows on the customer's page and in the audit log", async ({ page }) => {
  await signInAsNewAdmin(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  await expect(page).toHaveURL(/\/admin\/customers/);

  // Create our own model (other specs rely on sandbox/chat's price).
  await page.getByRole("link", { name: "Models and prices" }).click();
  await page.getByRole("link", { name: "Add model" }).click();
  await page.getByLabel("Public id").fill(MODEL);
  await page.getByLabel("Display name").fill("Sandbox Chat (price e2e)");
  await page.getByLabel("Type").selectOption("CHAT");
  await page.getByLabel("Provider", { exact: true }).selectOption("sandbox");
  await page.getByLabel("Upstream model", { exact: true }).fill("sandbox-chat");
  await page.getByLabel("Input, per 1M tokens").fill("0.50");
  await page.getByLabel("Output, per 1M tokens").fill("1.50");
  await page.getByRole("button", { name: "Add model" }).click();
  await expect(page.getByText("Saved. New requests use these settings now")).toBeVisible();

  const customer = await fundedCustomer("5");
  const before = await chatCall(customer.key, INSTANCES[0]);
  expect(BigInt(before.cost_micros)).toBe(priced(before, 500_000n, 1_500_000n));

  // The new price.
  await page.getByLabel("Input, per 1M tokens").fill("2");
  await page.getByLabel("Output, per 1M tokens").fill("6.25");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Saved. New requests use these settings now")).toBeVisible();
  await expect(page.getByRole("table", { name: "Price history" }).getByRole("row")).toHaveCount(3);

  const after = await chatCall(customer.key, INSTANCES[0]);
  expect(BigInt(after.cost_micros)).toBe(priced(after, 2_000_000n, 6_250_000n));
  // The other instance got the trigger's NOTIFY too.
  const other = await chatCall(customer.key, INSTANCES[1]);
  expect(BigInt(other.cost_micros)).toBe(priced(other, 2_000_000n, 6_250_000n));

  // The admin finds the call on the customer's page…
  await page.getByRole("link", { name: "Customers" }).click();
  await page.getByLabel("Email or key prefix").fill(customer.email);
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("link", { name: customer.email }).click();
  const row = page.locator(`tr[data-request-id="${after.requestId}"]`);
  await expect(row).toContainText(MODEL);
  await expect(row).toContainText("$2.00 / $6.25");
  await expect(page.locator(`tr[data-request-id="${before.requestId}"]`)).toContainText("$0.50 / $1.50");

  // …and the price change in the audit log.
  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Audit log" }).click();
  await page.getByLabel("Action").selectOption("model.price_changed");
  await page.getByLabel("Target").fill(MODEL);
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByRole("table", { name: "Audit events" }).getByRole("row").filter({ hasText: MODEL }).first()).toBeVisible();
  const csv = await page.request.get(`/admin/audit/export?action=model.price_changed&target=${encodeURIComponent(MODEL)}`);
  expect(csv.status()).toBe(200);
  expect(await csv.text()).toContain(MODEL);
});

test("a key an admin disables is refused by both instances within a second", async ({ page }) => {
  await signInAsNewAdmin(page);
  const customer = await fundedCustomer("2");
  const status = (base: string) =>
    fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${customer.key}` } }).then((r) => r.status);
  expect(await status(INSTANCES[0])).toBe(200);
  expect(await status(INSTANCES[1])).toBe(200);

  await page.goto(`/admin/customers?q=${encodeURIComponent(customer.email)}`);
  await page.getByRole("link", { name: customer.email }).click();
  await page.getByRole("button", { name: "Disable key e2e" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("refused at once");
  await dialog.getByRole("button", { name: "Disable key" }).click();
  await expect(dialog).toBeHidden();
  const disabledAt = Date.now();
  for (const base of INSTANCES) {
    let s = await status(base);
    while (s !== 401 && Date.now() - disabledAt < 1_000) s = await status(base);
    expect(s, base).toBe(401);
  }
  const res = await fetch(`${INSTANCES[1]}/v1/models`, { headers: { authorization: `Bearer ${customer.key}` } });
  expect(((await res.json()) as { error: { message: string } }).error.message).toBe("This API key is disabled.");
  // Exactly the status badge: the row's (closed) Enable dialog has a "Leave disabled" button.
  await expect(page.getByRole("row").filter({ hasText: "e2e" }).getByText("Disabled", { exact: true })).toBeVisible();
});
