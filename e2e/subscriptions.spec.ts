// Subscriptions beside Pay-As-You-Go, in Chromium: an admin creates a plan with a tiny allowance; a new
// customer tops up, subscribes to it through the sandbox checkout, and calls a covered model — the
// allowance meter on /plans falls while the prepaid balance stays; once the allowance runs out the
// balance takes over (paid_by "mixed", then "balance" in the request log). Also: the balance-fallback
// toggle (402 instead of a charge), advancing a sandbox period (a fresh allowance), cancel/resume,
// upgrade now and downgrade at the period end, axe on every new page. SCREENSHOTS=1 writes
// docs/screenshots/plans-*, plans-sandbox-checkout-*, usage-requests-paid-by-*, admin-plans-*, admin-plan-form-*,
// admin-customer-subscriptions-* and admin-custom-subscription-* (light and dark).
import AxeBuilder from "@axe-core/playwright";
import { randomBytes } from "node:crypto";
import { expect, type Page } from "@playwright/test";
import { displayUsd } from "../lib/money";
import { INSTANCES, balanceOf, portal, signInAsNewAdmin, signUpInBrowser, test, pageInNewContext } from "./fixtures";

test.describe.configure({ mode: "serial" });

const ALLOWANCE_MICROS = 500; // $0.0005: a dozen or so small chat calls

async function expectNoSeriousAxeViolations(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(bad.map((v) => `${what}: ${v.id} — ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(" | ")}`)).toEqual([]);
}

async function screenshot(page: Page, name: string) {
  if (!process.env.SCREENSHOTS) return;
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: `docs/screenshots/${name}-${scheme}.png`, fullPage: true, animations: "disabled" });
  }
  await page.emulateMedia({ colorScheme: "light" });
}

async function createKey(page: Page, name: string) {
  await page.goto("/keys");
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByRole("button", { name: "Create key" }).click();
  const secret = (await page.getByTestId("new-key").textContent())!.trim();
  await page.getByRole("button", { name: "I've saved it" }).click();
  return secret;
}

async function chat(key: string, n: number) {
  const res = await fetch(`${INSTANCES[n % 2]}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "sandbox/chat", messages: [{ role: "user", content: `Plan call ${n}` }], max_tokens: 16 }),
  });
  const body = (await res.json()) as { usage?: { cost_micros: number }; error?: { code: string; limit_source?: string } };
  return { status: res.status, cost: body.usage?.cost_micros ?? 0, error: body.error };
}

// The visible card: while a page streams in, React keeps the finished part in a hidden <div> until it
// reveals it, so for a moment the DOM can hold a hidden copy of the card beside the shown one.
const subscriptionCard = (page: Page) => page.getByTestId("subscription").filter({ visible: true });
const meter = (page: Page) => subscriptionCard(page).getByRole("meter").first();

test("subscribe in the sandbox: the allowance pays first and the meter falls, then the balance takes over", async ({ page, browser }) => {
  test.setTimeout(240_000);
  const suffix = randomBytes(3).toString("hex");
  const planName = `E2E Tiny ${suffix}`;
  const slug = `e2e-tiny-${suffix}`;

  // An admin creates the plan in the admin UI: $1.00 a month, $0.0005 of sandbox/chat, overage to the balance.
  const { context: adminContext, page: admin } = await pageInNewContext(browser);
  await signInAsNewAdmin(admin, "plans-admin");
  await admin.goto("/admin");
  await admin.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Plans" }).click();
  await expect(admin).toHaveURL(/\/admin\/plans$/);
  await admin.getByRole("link", { name: "Add plan" }).click();
  await admin.getByLabel("Name").fill(planName);
  await admin.getByLabel("Slug").fill(slug);
  await admin.getByLabel("Price (USD)").fill("1.00");
  await admin.getByLabel("Included usage per period (USD)").fill("0.0005");
  await admin.locator('input[name="modelIds"][value="sandbox/chat"]').check();
  await expectNoSeriousAxeViolations(admin, "/admin/plans/plan");
  await admin.getByRole("button", { name: "Add plan" }).click();
  await expect(admin).toHaveURL(/\/admin\/plans\?saved=/);
  const adminRow = admin.getByRole("row").filter({ hasText: planName });
  await expect(adminRow).toContainText("$1.00");
  await expect(adminRow).toContainText("$0.0005");
  await expect(adminRow).toContainText("sandbox/chat");
  await expectNoSeriousAxeViolations(admin, "/admin/plans");

  // A new customer tops up $20 in the sandbox, as on the PAYG loop.
  await signUpInBrowser(page);
  await page.getByRole("button", { name: "$20", exact: true }).click();
  await page.getByRole("button", { name: "Add funds" }).click();
  await page.getByRole("button", { name: /Pay \$20\.00/ }).click();
  await expect(page.getByTestId("available-balance")).toHaveText("$20.00");

  // Plans: Pay-As-You-Go, the plans, custom access; subscribe through the sandbox checkout.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Plans" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Plans" })).toBeVisible();
  await expect(page.getByTestId("compare-payg")).toContainText("Your plan");
  await expect(page.getByTestId("compare-custom")).toContainText("Custom access");
  await expect(page.getByTestId("compare-plan-starter")).toBeVisible();
  await expectNoSeriousAxeViolations(page, "/plans (no subscription)");
  await page.getByTestId(`compare-plan-${slug}`).getByRole("button", { name: `Subscribe to ${planName}` }).click();
  await expect(page).toHaveURL(new RegExp(`/plans/sandbox-checkout/${slug}$`));
  await expect(page.getByText("SANDBOX CHECKOUT — no real payment is made")).toBeVisible();
  await expect(page.getByTestId("checkout-amount")).toContainText("$1.00");
  await expectNoSeriousAxeViolations(page, "/plans/sandbox-checkout");
  await page.getByRole("button", { name: "Pay $1.00 and subscribe" }).click();
  await expect(page).toHaveURL(/\/plans\?subscribed=/);
  await expect(page.getByRole("status").filter({ hasText: "Subscribed" })).toBeVisible();
  const card = subscriptionCard(page);
  await expect(card).toContainText(planName);
  await expect(card.getByTestId("renewal")).toContainText("Renews on");
  await expect(meter(page)).toHaveAttribute("aria-valuemax", String(ALLOWANCE_MICROS));
  await expect(meter(page)).toHaveAttribute("aria-valuenow", String(ALLOWANCE_MICROS));
  await expect(card.getByTestId("allowance-remaining").first()).toHaveText("$0.0005 of $0.0005 left");
  // Its first period's invoice, marked as the sandbox's.
  const invoices = page.getByRole("table", { name: "Subscription invoices" });
  await expect(invoices.getByRole("row")).toHaveCount(2);
  await expect(invoices.getByRole("row").nth(1)).toContainText(`${planName}: `);
  await expect(invoices.getByRole("row").nth(1)).toContainText("$1.00");
  await expect(invoices.getByRole("row").nth(1)).toContainText("Sandbox: nothing charged");
  // The subscription is paid in the sandbox, not from the prepaid balance.
  await page.goto("/billing");
  await expect(page.getByTestId("available-balance")).toHaveText("$20.00");

  // A covered call: the allowance pays, the balance stays.
  const key = await createKey(page, "plan key");
  const first = await chat(key, 0);
  expect(first.status).toBe(200);
  expect(first.cost).toBeGreaterThan(0);
  expect(first.cost).toBeLessThan(ALLOWANCE_MICROS);
  expect((await balanceOf(key)).balance_micros).toBe(20_000_000);
  await page.goto("/plans");
  await expect(meter(page)).toHaveAttribute("aria-valuenow", String(ALLOWANCE_MICROS - first.cost));
  await expect(page.getByTestId("allowance-remaining").first()).toHaveText(`${displayUsd(BigInt(ALLOWANCE_MICROS - first.cost))} of $0.0005 left`);
  await page.goto("/billing");
  await expect(page.getByTestId("available-balance")).toHaveText("$20.00");

  // Call until the allowance is spent: then the balance takes over.
  let spent = first.cost;
  let calls = 1;
  let balance = 20_000_000;
  while (balance === 20_000_000 && calls < 60) {
    const r = await chat(key, calls++);
    expect(r.status).toBe(200);
    spent += r.cost;
    balance = (await balanceOf(key)).balance_micros;
  }
  expect(balance).toBeLessThan(20_000_000);
  expect(spent).toBeGreaterThan(ALLOWANCE_MICROS);
  // The allowance paid exactly ALLOWANCE_MICROS; the balance paid the rest.
  expect(20_000_000 - balance).toBe(spent - ALLOWANCE_MICROS);
  const after = await chat(key, calls++);
  expect(after.status).toBe(200);
  spent += after.cost;
  balance = (await balanceOf(key)).balance_micros;
  expect(20_000_000 - balance).toBe(spent - ALLOWANCE_MICROS);

  await page.goto("/plans");
  await expect(meter(page)).toHaveAttribute("aria-valuenow", "0");
  await expect(page.getByTestId("allowance-remaining").first()).toHaveText("$0.00 of $0.0005 left");
  await page.goto("/billing");
  await expect(page.getByTestId("available-balance")).toHaveText(displayUsd(BigInt(balance)));

  // The request log says who paid: the last call the balance, the one that ran out both, the first ones the plan.
  await page.goto("/usage/requests");
  const log = page.getByRole("table", { name: "Request log" });
  await expect(log.getByRole("row").nth(1).getByTestId("paid-by")).toContainText("Balance");
  await expect(log.getByTestId("paid-by").filter({ hasText: "Mixed" })).toHaveCount(1);
  await expect(log.getByTestId("paid-by").filter({ hasText: "Subscription" })).toHaveCount(calls - 2);
  await page.getByLabel("Paid by").selectOption("MIXED");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/paid_by=MIXED/);
  await expect(log.getByRole("row")).toHaveCount(2);
  await log.getByRole("link").first().click();
  const covered = Number((await page.getByTestId("request-covered").textContent())!.replace(/[$,]/g, "")) * 1_000_000;
  const charged = Number((await page.getByTestId("request-charged").textContent())!.replace(/[$,]/g, "")) * 1_000_000;
  expect(covered).toBeGreaterThan(0);
  expect(charged).toBeGreaterThan(0);
  const csv = await page.request.get("/api/usage/export?paid_by=MIXED");
  expect(csv.status()).toBe(200);
  const [header, row] = (await csv.text()).trim().split("\n");
  expect(header).toContain("paid_by,covered_micros,charged_micros");
  expect(row).toMatch(new RegExp(`,mixed,${Math.round(covered)},${Math.round(charged)}$`));

  // Turning the balance fallback off: past the allowance, a 402 from the subscription instead of a charge.
  await page.goto("/plans");
  await expect(page.getByTestId("fallback-state")).toContainText("paid from your prepaid balance");
  await page.getByRole("button", { name: "Stop charging overage to my balance" }).click();
  await expect(page.getByTestId("fallback-state")).toContainText("requests are refused");
  const refused = await chat(key, calls++);
  expect(refused.status).toBe(402);
  expect(refused.error).toMatchObject({ code: "insufficient_balance", limit_source: "subscription" });
  expect((await balanceOf(key)).balance_micros).toBe(balance);
  await page.getByRole("button", { name: "Charge overage to my balance" }).click();
  await expect(page.getByTestId("fallback-state")).toContainText("paid from your prepaid balance");

  // Advance the sandbox period: a fresh allowance, and covered calls stop touching the balance again.
  await page.getByRole("button", { name: "Advance to next period (sandbox)" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Advanced to the next period" })).toBeVisible();
  await expect(meter(page)).toHaveAttribute("aria-valuenow", String(ALLOWANCE_MICROS));
  const renewed = await chat(key, calls++);
  expect(renewed.status).toBe(200);
  expect((await balanceOf(key)).balance_micros).toBe(balance);
  await page.reload();
  await expect(meter(page)).toHaveAttribute("aria-valuenow", String(ALLOWANCE_MICROS - renewed.cost));

  // Cancel at the period end (after a confirmation that says until when it lasts), then keep the plan.
  await page.getByRole("button", { name: "Cancel at period end" }).click();
  const endDialog = page.getByRole("dialog");
  await expect(endDialog).toContainText("stays active until");
  await endDialog.getByRole("button", { name: "End my plan" }).click();
  await expect(page.getByTestId("renewal")).toContainText("Ends on");
  // While it is ending, plan changes that contradict that are not offered: Keep instead.
  await expect(page.getByTestId(`compare-plan-${slug}`).getByRole("button", { name: `Keep ${planName}` })).toBeVisible();
  await page.getByRole("button", { name: "Keep my plan" }).click();
  await expect(page.getByTestId("renewal")).toContainText("Renews on");
  await expectNoSeriousAxeViolations(page, "/plans (subscribed)");

  // Upgrade to Starter now (confirmed, saying it is charged now); then a downgrade back waits for the period end.
  await page.getByRole("button", { name: "Upgrade to Starter now" }).click();
  const upgradeDialog = page.getByRole("dialog");
  await expect(upgradeDialog).toContainText("charged");
  await upgradeDialog.getByRole("button", { name: "Upgrade now" }).click();
  await expect(subscriptionCard(page)).toContainText("Starter");
  await expect(page.getByTestId("compare-plan-starter")).toContainText("Your plan");
  await page.getByRole("button", { name: `Downgrade to ${planName} at period end` }).click();
  await expect(page.getByTestId("pending-plan")).toContainText(`Changes to ${planName}`);
  await page.getByRole("button", { name: "Keep Starter" }).click();
  await expect(page.getByTestId("pending-plan")).toHaveCount(0);

  // The admin sees the subscription on the customer's page, and retires the test plan.
  await admin.goto("/admin/plans");
  await admin.getByRole("link", { name: `Edit ${planName}` }).click();
  await admin.getByLabel(/^Active/).uncheck();
  await admin.getByRole("button", { name: "Save changes" }).click();
  await expect(admin.getByRole("row").filter({ hasText: planName })).toContainText("Inactive");
  await adminContext.close();
  await page.goto("/plans");
  await expect(page.getByTestId(`compare-plan-${slug}`)).toHaveCount(0);
});

test("an operator gives a customer custom access: a count of images, a budget for one model, unlimited up to a rate", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const { email } = await signUpInBrowser(page);
  await portal("credits:grant", "--email", email, "--usd", "5", "--reason", "e2e");
  const key = await createKey(page, "custom key");

  const { context: adminContext, page: admin } = await pageInNewContext(browser);
  await signInAsNewAdmin(admin, "plans-admin");
  await admin.goto(`/admin/customers?q=${encodeURIComponent(email)}`);
  await admin.getByRole("link", { name: email }).click();
  await admin.getByRole("link", { name: "Add custom subscription" }).click();
  await admin.getByLabel("Name", { exact: true }).fill("Acme bundle");
  await admin.getByLabel("Price (USD)").fill("300");
  await admin.getByLabel("Line name").nth(0).fill("Images");
  await admin.getByLabel("Models").nth(0).selectOption(["sandbox/image"]);
  await admin.getByLabel("Counted in").nth(0).selectOption("UNITS");
  await admin.getByLabel("Limit per period").nth(0).fill("2");
  await admin.getByLabel("Line name").nth(1).fill("Chat budget");
  await admin.getByLabel("Models").nth(1).selectOption(["sandbox/chat"]);
  await admin.getByLabel("Limit per period").nth(1).fill("0.50");
  await admin.getByLabel("Line name").nth(2).fill("Embeddings");
  await admin.getByLabel("Models").nth(2).selectOption(["sandbox/embed"]);
  await admin.getByLabel("Unlimited (needs a rate limit)").nth(2).check();
  await admin.getByLabel(/Rate limit/).nth(2).fill("120");
  await expectNoSeriousAxeViolations(admin, "/admin/customers/[id]/subscription");
  await admin.getByRole("button", { name: "Create subscription" }).click();
  await expect(admin.getByText("Subscription saved.")).toBeVisible();
  const sub = admin.getByTestId("customer-subscription").filter({ hasText: "Acme bundle" });
  await expect(sub).toContainText("Custom");
  await expect(sub).toContainText("2 of 2 images left");
  await expectNoSeriousAxeViolations(admin, "/admin/customers/[id]");

  // An image is counted, not charged.
  const image = await fetch(`${INSTANCES[0]}/v1/images/generations`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "sandbox/image", prompt: "a meter", n: 1 }),
  });
  expect(image.status).toBe(200);
  expect((await balanceOf(key)).balance_micros).toBe(5_000_000);

  await page.goto("/plans");
  const custom = subscriptionCard(page).filter({ hasText: "Acme bundle" });
  await expect(custom).toContainText("1 of 2 images left");
  await expect(custom).toContainText("$0.50 of $0.50 left");
  await expect(custom).toContainText("up to 120 requests a minute");
  await expect(page.getByTestId("compare-custom")).toContainText("Configured for you");
  await expectNoSeriousAxeViolations(page, "/plans (custom)");

  // The operator ends it; the customer's next image is paid from the balance.
  await admin.reload();
  await sub.getByRole("button", { name: "End Acme bundle now" }).click();
  await admin.getByRole("dialog").getByRole("button", { name: "End subscription" }).click();
  await expect(sub).toContainText("Ended");
  await adminContext.close();
  const paid = await fetch(`${INSTANCES[1]}/v1/images/generations`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "sandbox/image", prompt: "a meter", n: 1 }),
  });
  expect(paid.status).toBe(200);
  expect((await balanceOf(key)).balance_micros).toBeLessThan(5_000_000);
});

// Also the source of the docs/screenshots of these pages (SCREENSHOTS=1).
test("a customer on the seeded Starter plan: paid images and chat come off its meters, and the admin pages list it", async ({ page, browser }) => {
  const { email } = await signUpInBrowser(page);
  await portal("credits:grant", "--email", email, "--usd", "25", "--reason", "Welcome credit");
  await page.goto("/plans");
  await page.getByRole("button", { name: "Subscribe to Starter" }).click();
  await expect(page.getByTestId("checkout-amount")).toContainText("$9.00");
  await screenshot(page, "plans-sandbox-checkout");
  await page.getByRole("button", { name: /Pay \$9\.00 and subscribe/ }).click();
  await expect(page).toHaveURL(/\/plans\?subscribed=/);
  const key = await createKey(page, "Production app");
  for (let i = 0; i < 6; i++) await chat(key, i);
  await fetch(`${INSTANCES[0]}/v1/images/generations`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "sandbox/image", prompt: "a meter", n: 2 }),
  });
  await page.goto("/plans");
  await expect(page.getByText("98 of 100 images left")).toBeVisible();
  await screenshot(page, "plans");
  await page.goto("/usage/requests");
  await expect(page.getByRole("cell", { name: "Subscription" }).first()).toBeVisible();
  await screenshot(page, "usage-requests-paid-by");

  const { context: adminContext, page: admin } = await pageInNewContext(browser);
  await signInAsNewAdmin(admin, "plans-admin");
  await admin.goto("/admin/plans");
  await screenshot(admin, "admin-plans");
  await admin.getByRole("link", { name: "Edit Starter" }).click();
  await screenshot(admin, "admin-plan-form");
  await admin.goto(`/admin/customers?q=${encodeURIComponent(email)}`);
  await admin.getByRole("link", { name: email }).click();
  await admin.getByRole("heading", { name: "Subscriptions" }).scrollIntoViewIfNeeded();
  await screenshot(admin, "admin-customer-subscriptions");
  await admin.getByRole("link", { name: "Add custom subscription" }).click();
  await screenshot(admin, "admin-custom-subscription");
  await adminContext.close();
});
