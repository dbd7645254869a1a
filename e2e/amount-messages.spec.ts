// Amount fields say what is wrong with what was typed: the largest amount allowed, too many decimal places,
// an empty code — not "Enter an amount in dollars" for a number that is one.
import { expect } from "@playwright/test";
import { signUpInBrowser, test } from "./fixtures";

test("top-up, spend limit and redeem say what is wrong with the value", async ({ page }) => {
  await signUpInBrowser(page);

  await page.goto("/billing");
  await page.getByLabel("Amount (USD)").fill("99999999999999");
  await page.getByRole("button", { name: "Add funds" }).click();
  await expect(page.locator("#amount-error")).toHaveText("The largest top-up is $10,000.00.");

  await page.getByRole("button", { name: "Redeem" }).click();
  await expect(page.locator("#redeem-error")).toHaveText("Enter a code.");

  await page.goto("/keys");
  await page.getByLabel("Name", { exact: true }).fill("limits");
  await page.getByText("Limits (optional)").click();
  await page.getByLabel("Spend limit in USD (optional)").fill("0.0000001");
  await page.getByRole("button", { name: "Create key" }).click();
  await expect(page.locator("#spend-limit-error")).toHaveText("Use at most six decimal places (a millionth of a dollar).");
  await page.getByLabel("Spend limit in USD (optional)").fill("99999999999999");
  await page.getByRole("button", { name: "Create key" }).click();
  await expect(page.locator("#spend-limit-error")).toHaveText("The largest spend limit is $1,000,000,000.00.");
});
