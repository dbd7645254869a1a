// The request log and the dashboard show a media request by what it made ("2 images"), not "0 / 0" tokens.
import { expect } from "@playwright/test";
import { INSTANCES, portal, signUpInBrowser, test } from "./fixtures";

const call = (key: string, path: string, body: unknown) =>
  fetch(`${INSTANCES[0]}/v1/${path}`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) });

test("shows no tokens for an image request but the images it made, and tokens for a chat request", async ({ page }) => {
  const { email } = await signUpInBrowser(page);
  await portal("credits:grant", "--email", email, "--usd", "2", "--reason", "e2e media");
  const { key } = (await portal("key:create", "--email", email, "--name", "media")) as { key: string };
  expect((await call(key, "images/generations", { model: "sandbox/image", prompt: "a lighthouse", n: 2 })).status).toBe(200);
  expect((await call(key, "chat/completions", { model: "sandbox/chat", messages: [{ role: "user", content: "hello" }] })).status).toBe(200);

  for (const [path, name] of [["/usage/requests", "Request log"], ["/usage", "Recent requests"]] as const) {
    await page.goto(path);
    const rows = page.getByRole("table", { name }).getByRole("row");
    const image = rows.filter({ hasText: "sandbox/image" }).getByTestId("tokens");
    await expect(image).toContainText("—");
    await expect(image).toContainText("2 images");
    await expect(image).not.toContainText("0 / 0");
    await expect(rows.filter({ hasText: "sandbox/chat" }).getByTestId("tokens")).toHaveText(/^\d[\d,]*\s\/ \d[\d,]*$/);
  }
});
