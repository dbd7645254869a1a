// Below 1024 px (a phone, a tablet) the keys table and the request log stack each row as a card: nothing scrolls
// sideways, and a key's name and its Edit / Rotate / Revoke stay on screen. From 1024 px they are tables that fit
// their card. The usage dashboard's tables fit their cards at every width.
import { expect, type Locator, type Page } from "@playwright/test";
import { INSTANCES, portal, signUpInBrowser, test } from "./fixtures";

/** How far the page and each table's scroll box overflow sideways (0 = nothing hidden). */
async function overflow(page: Page) {
  return page.evaluate(() => ({
    page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    tables: [...document.querySelectorAll("table")].map((t) => t.parentElement!.scrollWidth - t.parentElement!.clientWidth),
  }));
}

/** Wholly inside the window's width (not cut off by it, nor by a table's scroll box). */
async function expectWithinWidth(locator: Locator, width: number) {
  await expect(locator).toBeVisible();
  const box = (await locator.boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(width);
}

test("keys, the request log and the usage dashboard fit from 390 px to 1280 px", async ({ page }, testInfo) => {
  const { email } = await signUpInBrowser(page);
  await portal("credits:grant", "--email", email, "--usd", "2", "--reason", "e2e narrow");
  const { key } = (await portal("key:create", "--email", email, "--name", "a key with a fairly long name for a phone", "--spend-limit-usd", "5")) as { key: string };
  const res = await fetch(`${INSTANCES[0]}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "sandbox/chat", messages: [{ role: "user", content: "hello" }] }),
  });
  expect(res.status).toBe(200);

  for (const width of [390, 768, 1024, 1280]) {
    await page.setViewportSize({ width, height: 900 });

    await page.goto("/keys");
    const keys = page.getByRole("table", { name: "Your API keys" });
    const row = keys.locator("tbody tr").first();
    await expect(row).toContainText("a key with a fairly long name for a phone");
    expect(await overflow(page)).toEqual({ page: 0, tables: [0] });
    for (const name of [/^Edit /, /^Rotate /, /^Revoke /]) await expectWithinWidth(row.getByRole("button", { name }), width);
    await page.screenshot({ path: testInfo.outputPath(`keys-${width}.png`), fullPage: true });

    await page.goto("/usage/requests");
    const log = page.getByRole("table", { name: "Request log" });
    const request = log.locator("tbody tr").first();
    await expect(request).toContainText("sandbox/chat");
    const { page: pageOverflow, tables } = await overflow(page);
    expect(pageOverflow).toBe(0);
    expect(tables.every((x) => x === 0)).toBe(true);
    await expectWithinWidth(request.getByRole("link", { name: /details/ }), width);
    await expectWithinWidth(request.getByTestId("paid-by"), width);
    // A stacked row names each value; a table row leaves that to the header.
    await expect(log.locator("thead")).toBeVisible({ visible: width >= 1024 });
    await page.screenshot({ path: testInfo.outputPath(`requests-${width}.png`), fullPage: true });
  }

  for (const width of [390, 768, 1024, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto("/usage");
    await expect(page.getByRole("table", { name: "Spend by key" }).locator("tbody tr").first()).toContainText("a key with a fairly long name");
    const { page: pageOverflow, tables } = await overflow(page);
    expect(pageOverflow).toBe(0);
    expect(tables, `tables overflowing their cards at ${width} px`).toEqual(tables.map(() => 0));
    await page.screenshot({ path: testInfo.outputPath(`usage-${width}.png`), fullPage: true });
  }
});
