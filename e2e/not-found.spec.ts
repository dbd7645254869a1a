// A portal page for something that does not exist (or is not yours) answers a real 404 status, not a 200
// page that says "not found": no loading.tsx may sit above a page that can call notFound(), because a
// loading fallback starts the response (and fixes its status at 200) before the page has decided.
import { expect, type Page } from "@playwright/test";
import { portal, signUpInBrowser, uniqueEmail, test, pageInNewContext } from "./fixtures";

const UNKNOWN_UUID = "00000000-0000-4000-8000-000000000000";

async function status(page: Page, path: string) {
  return (await page.goto(path))?.status();
}

test("an unknown or someone else's sandbox checkout, and an unknown plan's checkout, answer 404", async ({ page, browser }) => {
  await signUpInBrowser(page);

  // A real checkout of this user's answers 200 and shows its amount.
  await page.getByRole("button", { name: "$20", exact: true }).click();
  await page.getByRole("button", { name: "Add funds" }).click();
  await expect(page).toHaveURL(/\/billing\/sandbox-checkout\/cs_sandbox_/);
  const checkoutPath = new URL(page.url()).pathname;
  expect(await status(page, checkoutPath)).toBe(200);
  await expect(page.getByTestId("checkout-amount")).toHaveText("$20.00");

  expect(await status(page, "/billing/sandbox-checkout/cs_sandbox_does_not_exist")).toBe(404);
  await expect(page.getByRole("heading", { name: /not found/i })).toBeVisible();
  expect(await status(page, "/billing/sandbox-checkout/nope")).toBe(404);

  // Another user's checkout is not found for this one.
  const { context: other, page: otherPage } = await pageInNewContext(browser);
  await signUpInBrowser(otherPage);
  expect(await status(otherPage, checkoutPath)).toBe(404);
  await other.close();

  // The plan checkout: an unknown slug is a 404; a plan on sale is a 200 whose account part streams in.
  expect(await status(page, "/plans/sandbox-checkout/no-such-plan")).toBe(404);
  expect(await status(page, "/plans/sandbox-checkout/starter")).toBe(200);
  await expect(page.getByRole("button", { name: /and subscribe/ })).toBeVisible();

  // The pages that lost their loading.tsx still load.
  expect(await status(page, "/billing")).toBe(200);
  await expect(page.getByTestId("available-balance")).toBeVisible();
  expect(await status(page, "/plans")).toBe(200);
  await expect(page.getByRole("heading", { name: "Plans", level: 1 })).toBeVisible();
});

test("an admin's detail pages answer 404 for an unknown customer, subscription, model, provider or plan", async ({ page }) => {
  const email = uniqueEmail("admin");
  await portal("user:create", "--email", email, "--password", "operators only 123", "--admin");
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("operators only 123");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/billing/);

  for (const path of [
    `/admin/customers/${UNKNOWN_UUID}`,
    "/admin/customers/not-a-uuid",
    `/admin/customers/${UNKNOWN_UUID}/subscription`,
    "/admin/models/model?id=no%2Fsuch-model",
    "/admin/models/provider?id=no-such-provider",
    `/admin/plans/plan?id=${UNKNOWN_UUID}`,
  ]) {
    expect(await status(page, path), path).toBe(404);
  }

  // The same pages answer 200 for what exists; the customer's subscriptions stream in after the page.
  const customer = (await portal("user:create", "--email", uniqueEmail("customer"), "--password", "correct horse battery")) as { id: string };
  expect(await status(page, `/admin/customers/${customer.id}`)).toBe(200);
  await expect(page.getByRole("heading", { name: "Subscriptions" })).toBeVisible();
  expect(await status(page, `/admin/customers/${customer.id}/subscription?subscription=${UNKNOWN_UUID}`)).toBe(404);
  expect(await status(page, `/admin/customers/${customer.id}/subscription`)).toBe(200);
  expect(await status(page, `/admin/models/model?id=${encodeURIComponent("sandbox/chat")}`)).toBe(200);
  expect(await status(page, "/admin/models/provider?id=sandbox")).toBe(200);
  for (const path of ["/admin/customers", "/admin/models", "/admin/plans"]) expect(await status(page, path), path).toBe(200);
});
