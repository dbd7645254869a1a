// Forms and what was typed into them: a password never ends up in a URL (a sign-in submitted before the
// page's script has run), and a form the server refuses keeps the values it refused, next to the error
// about them (React resets a <form action> after every action unless the form runs it from onSubmit).
import { expect } from "@playwright/test";
import { signInAsNewAdmin, signUpInBrowser, uniqueEmail, test } from "./fixtures";

test("signing in or up without the page's script posts the form: the password never goes into the URL", async ({ browser }) => {
  // A plain context, not pageInNewContext: without scripts no streamed segment is ever revealed to wait for.
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  for (const [path, button] of [
    ["/sign-in", "Sign in"],
    ["/sign-up", "Create account"],
  ] as const) {
    await page.goto(path);
    await page.getByLabel("Email").fill(uniqueEmail("nojs"));
    await page.getByLabel("Password").fill("secret in the url 123");
    const [request] = await Promise.all([page.waitForRequest((r) => r.isNavigationRequest()), page.getByRole("button", { name: button }).click()]);
    expect(request.method()).toBe("POST");
    await page.waitForLoadState();
    expect(page.url()).not.toContain("secret");
    expect(page.url()).not.toContain("password");
  }
  await context.close();
});

test("a refused auto top-up, alert or code keeps what was typed; a saved one shows what was saved", async ({ page }) => {
  await signUpInBrowser(page);

  const autoTopUp = page.locator("form").filter({ has: page.getByRole("button", { name: "Save auto top-up" }) });
  await autoTopUp.getByLabel("When below (USD)").fill("-3");
  await autoTopUp.getByLabel("Add (USD)").fill("12.00");
  await autoTopUp.getByRole("button", { name: "Save auto top-up" }).click();
  await expect(autoTopUp.getByRole("alert")).toContainText("cannot be negative");
  await expect(autoTopUp.getByLabel("When below (USD)")).toHaveValue("-3");
  await expect(autoTopUp.getByLabel("Add (USD)")).toHaveValue("12.00");

  const alert = page.getByLabel("Email me when my available balance drops below (USD)");
  await alert.fill("five dollars");
  await page.getByRole("button", { name: "Save alert" }).click();
  await expect(page.getByText("Enter the alert threshold as a dollar amount")).toBeVisible();
  await expect(alert).toHaveValue("five dollars");
  await alert.fill("3");
  await page.getByRole("button", { name: "Save alert" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
  await expect(alert).toHaveValue("3.00");

  const code = page.locator("#redeem-code");
  await code.fill("MW-AAAA-BBBB-CCCC-DDDD");
  await page.getByRole("button", { name: "Redeem" }).click();
  await expect(page.locator("#redeem-error")).toContainText("not valid");
  await expect(code).toHaveValue("MW-AAAA-BBBB-CCCC-DDDD");
});


test("an admin's model edit refused for one bad price keeps every other edit on screen", async ({ page }) => {
  await signInAsNewAdmin(page);
  await page.goto(`/admin/models/model?id=${encodeURIComponent("sandbox/embed")}`);
  await page.getByLabel("Display name").fill("Edited but not saved");
  await page.getByLabel("Input, per 1M tokens").fill("-1");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Prices cannot be negative" })).toBeVisible();
  await expect(page.getByLabel("Display name")).toHaveValue("Edited but not saved");
  await expect(page.getByLabel("Input, per 1M tokens")).toHaveValue("-1");
});
