// Forms and what was typed into them: a password never ends up in a URL (a sign-in submitted before the
// page's script has run).
import { expect, test } from "@playwright/test";
import { uniqueEmail } from "./fixtures";

test("signing in or up without the page's script posts the form: the password never goes into the URL", async ({ browser }) => {
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
