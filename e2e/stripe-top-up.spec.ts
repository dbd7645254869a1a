// Top-ups through Stripe: the browser is sent to (fake) Stripe's hosted checkout, pays there, comes
// back; the signed webhook credits the balance once and the history shows the payment with its receipt.
import { expect } from "@playwright/test";
import { STRIPE_INSTANCE, streamsSettled, uniqueEmail, test } from "./fixtures";

test("top up through Stripe's hosted checkout and see the balance and the history update", async ({ page }) => {
  await page.goto(`${STRIPE_INSTANCE}/sign-up`);
  await page.getByLabel("Email").fill(uniqueEmail("stripe"));
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/billing/);
  await expect(page.getByText("Sandbox mode")).toHaveCount(0);

  await page.getByRole("button", { name: "$50", exact: true }).click();
  await page.getByLabel("Save this card for auto top-up").check();
  await page.getByRole("button", { name: "Add funds" }).click();

  await expect(page.getByRole("heading", { name: "Fake Stripe Checkout" })).toBeVisible();
  await expect(page.getByText("Pay $50.00")).toBeVisible();
  await page.getByRole("button", { name: "Pay" }).click();

  await expect(page).toHaveURL(/\/billing\?checkout=success&session_id=cs_test_/);
  await streamsSettled(page); // back from Stripe's page: a full page load
  await expect(page.getByText("$50.00 has been added to your balance")).toBeVisible();
  await expect(page.getByTestId("available-balance")).toHaveText("$50.00");
  const history = page.getByRole("table", { name: "Payment history" });
  const row = history.getByRole("row").filter({ hasText: "Stripe" });
  await expect(row).toContainText("$50.00");
  await expect(row).toContainText("Paid");
  await expect(row.getByRole("link", { name: /Receipt/ })).toHaveAttribute("href", /receipts\/pi_/);

  // The card was saved: auto top-up can be switched on.
  await expect(page.getByLabel("Turn on auto top-up")).toBeEnabled();
  await page.getByLabel("Turn on auto top-up").check();
  await page.getByLabel("When below (USD)").fill("5.00");
  await page.getByLabel("Add (USD)").fill("25.00");
  await page.getByRole("button", { name: "Save auto top-up" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();

  // The history downloads as CSV.
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download CSV" }).click();
  const file = await (await download).path();
  const { readFile } = await import("node:fs/promises");
  const csv = await readFile(file, "utf8");
  expect(csv.split("\n")[0]).toBe("date,kind,amount_usd,refunded_usd,method,status,reference,receipt_url,note");
  expect(csv).toContain("top-up,50.000000,0.000000,stripe,succeeded,cs_test_");
});
