// Async media end to end: a sandbox video submitted over the API with fetch completes in the Tasks
// view (polled every 2 s while it runs), its GIF plays and downloads, and the balance shows exactly its price.
import { expect } from "@playwright/test";
import { fundedCustomer, INSTANCES, test } from "./fixtures";

test("a sandbox video task completes in the Tasks view, plays, downloads and is charged once", async ({ page }) => {
  const { email, key } = await fundedCustomer("5");
  const headers = { authorization: `Bearer ${key}`, "content-type": "application/json", "idempotency-key": `e2e-${Date.now()}` };
  const body = JSON.stringify({ model: "sandbox/video", prompt: "a lighthouse at dusk [sandbox:delay=9000]" });
  const created = await fetch(`${INSTANCES[0]}/v1/videos`, { method: "POST", headers, body });
  expect(created.status).toBe(200);
  const task = (await created.json()) as { id: string; object: string; status: string };
  expect(task).toMatchObject({ object: "task", status: "queued" });
  // The same Idempotency-Key on the other instance: the same task.
  const replay = await fetch(`${INSTANCES[1]}/v1/videos`, { method: "POST", headers, body });
  expect(((await replay.json()) as { id: string }).id).toBe(task.id);

  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/billing/);
  await page.getByRole("link", { name: "Tasks" }).click();
  await expect(page).toHaveURL(/\/tasks/);

  const row = page.locator(`tr[data-task-id="${task.id}"]`);
  await expect(row).toContainText("sandbox/video");
  await expect(row).toContainText(/queued|running/);
  await expect(row).toContainText("succeeded", { timeout: 30_000 });
  // Shown like every other portal amount (lib/money's displayUsd): "$0.25", not the API's "0.250000".
  await expect(row.getByRole("cell", { name: "$0.25", exact: true })).toBeVisible();

  // The preview is a real, decoded GIF.
  const preview = row.getByRole("img", { name: new RegExp(task.id) });
  await expect(preview).toBeVisible();
  await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(96);
  await page.screenshot({ path: test.info().outputPath("tasks-view.png"), fullPage: true });
  const downloadPromise = page.waitForEvent("download");
  await row.getByRole("link", { name: /Download/ }).click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toBe(`${task.id}.gif`);

  // The API agrees, and its signed URL plays without a key.
  const done = (await (await fetch(`${INSTANCES[1]}/v1/tasks/${task.id}`, { headers })).json()) as { status: string; cost_micros: number; result: { url: string } };
  expect(done).toMatchObject({ status: "succeeded", cost_micros: 250_000 });
  const media = await fetch(done.result.url);
  expect(media.status).toBe(200);
  expect(media.headers.get("content-type")).toBe("image/gif");

  await page.getByRole("link", { name: "Billing" }).click();
  await expect(page.getByTestId("available-balance")).toHaveText("$4.75");
});
