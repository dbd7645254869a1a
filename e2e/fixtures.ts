// Shared helpers for the end-to-end suite. The app runs as two instances (3100, 3101) on one database
// (scripts/e2e-servers.ts); operators' commands run through the real CLI against that database.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { test as base, expect, type Browser, type BrowserContextOptions, type Page } from "@playwright/test";

const BASE_PORT = Number(process.env.E2E_BASE_PORT ?? 3100);
export const INSTANCES = [`http://127.0.0.1:${BASE_PORT}`, `http://127.0.0.1:${BASE_PORT + 1}`] as const;
/** The instance configured for Stripe (a local fake Stripe; see scripts/e2e-servers.ts). */
export const STRIPE_INSTANCE = `http://127.0.0.1:${BASE_PORT + 2}`;

const run = promisify(execFile);

/**
 * React 19.2 (react/react#37014): when a document finishes loading while a streamed Suspense segment is
 * still queued for its batched reveal, hydration renders the boundary on the client, and the queued
 * `<div hidden id="S:n">` copy stays in the DOM until the reveal runs (up to ~300 ms). People never see
 * it (hidden), but a text or test-id query does, and Playwright's strict mode fails on two matches at
 * once, without retrying. So every full page load in this suite waits for the queued segments to go.
 */
export function settlesStreams(page: Page): Page {
  const thenSettled =
    <A extends unknown[], R>(load: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const response = await load(...args);
      await streamsSettled(page);
      return response;
    };
  page.goto = thenSettled(page.goto.bind(page));
  page.reload = thenSettled(page.reload.bind(page));
  return page;
}

/** Waits until no streamed segment is queued for its reveal: after a full page load that `goto` did not make. */
export async function streamsSettled(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelector("div[hidden][id^='S:']") === null);
}

/** Playwright's `test`, with a page whose `goto` and `reload` wait for streamed segments (see settlesStreams). */
export const test = base.extend({
  page: async ({ page }, use) => {
    await use(settlesStreams(page));
  },
});

/** A page in a browser context of its own (another person's session), settling streams like `test`'s page. */
export async function pageInNewContext(browser: Browser, options?: BrowserContextOptions) {
  const context = await browser.newContext(options);
  return { context, page: settlesStreams(await context.newPage()) };
}

function databaseUrl(): string {
  const url = readFileSync(`.data/e2e-${BASE_PORT}/database-url`, "utf8").trim();
  const host = new URL(url).hostname;
  if (host !== "127.0.0.1" && host !== "localhost") throw new Error(`refusing to run e2e against a non-local database (${host})`);
  return url;
}

/** Runs `npm run portal -- …` (the operator CLI) against the e2e database; returns its JSON. */
export async function portal(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", "scripts/portal.ts", ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrl() },
  });
  return JSON.parse(stdout) as Record<string, unknown>;
}

/** Like portal() but for a command expected to fail: its exit code and output. */
export async function portalFailing(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    await run(process.execPath, ["--import", "tsx", "scripts/portal.ts", ...args], { env: { ...process.env, DATABASE_URL: databaseUrl() } });
    return { code: 0, stdout: "", stderr: "" };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

export function uniqueEmail(prefix = "user"): string {
  return `${prefix}-${randomBytes(5).toString("hex")}@example.test`;
}

/** An operator-made customer with a balance and a key, for API-level tests. */
export async function fundedCustomer(usd: string, keyArgs: string[] = []) {
  const email = uniqueEmail("api");
  await portal("user:create", "--email", email, "--password", "correct horse battery");
  if (usd !== "0") await portal("credits:grant", "--email", email, "--usd", usd, "--reason", "e2e");
  const created = (await portal("key:create", "--email", email, "--name", "e2e", ...keyArgs)) as { key: string };
  return { email, key: created.key };
}

export async function signUpInBrowser(page: Page, email = uniqueEmail(), password = "correct horse battery") {
  await page.goto("/sign-up");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/billing/);
  return { email, password };
}

/** A new operator (made with the CLI's `user:create --admin`), signed in in `page`; returns its email. */
export async function signInAsNewAdmin(page: Page, prefix = "admin") {
  const email = uniqueEmail(prefix);
  const password = "operators only 123";
  await portal("user:create", "--email", email, "--password", password, "--admin");
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/billing/);
  return email;
}

/** Moves the application clock of both instances (they run with ENABLE_TEST_CLOCK). */
export async function setClockOffset(offsetMs: number) {
  for (const base of INSTANCES) {
    const res = await fetch(`${base}/api/test/clock`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ offset_ms: offsetMs }) });
    expect(res.status).toBe(200);
  }
}

export async function balanceOf(key: string, base: string = INSTANCES[0]) {
  const res = await fetch(`${base}/v1/balance`, { headers: { authorization: `Bearer ${key}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as { balance_micros: number; reserved_micros: number; available_micros: number };
}
