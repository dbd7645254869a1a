// The usage portal end to end: rotate a key, filter the request log (filters live in the URL), open a
// request, export CSV and check every row against the database, and the balance history that sums to
// the balance.
import { expect } from "@playwright/test";
import { readFileSync } from "node:fs";
import pg from "pg";
import { INSTANCES, balanceOf, portal, signUpInBrowser, uniqueEmail, test } from "./fixtures";

const BASE_PORT = Number(process.env.E2E_BASE_PORT ?? 3100);

async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<T[]> {
  const client = new pg.Client({ connectionString: readFileSync(`.data/e2e-${BASE_PORT}/database-url`, "utf8").trim() });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

const call = (key: string, path: string, body: unknown) =>
  fetch(`${INSTANCES[0]}/v1/${path}`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) });

/** A tiny CSV reader for the export (quoted fields, doubled quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(field), (field = "");
    else if (c === "\n") row.push(field), rows.push(row), (row = []), (field = "");
    else if (c !== "\r") field += c;
  }
  if (field || row.length) row.push(field), rows.push(row);
  return rows;
}

test("rotate a key, filter the log, open a request, export CSV, and reconcile the balance history", async ({ page }) => {
  const { email } = await signUpInBrowser(page);
  await portal("credits:grant", "--email", email, "--usd", "3", "--reason", "e2e usage portal");

  await page.goto("/keys");
  await page.getByLabel("Name", { exact: true }).fill("app");
  await page.getByRole("button", { name: "Create key" }).click();
  const first = (await page.getByTestId("new-key").textContent())!.trim();
  await page.getByRole("button", { name: "I've saved it" }).click();

  for (let i = 0; i < 3; i++) expect((await call(first, "chat/completions", { model: "sandbox/chat", messages: [{ role: "user", content: `hi ${i}` }] })).status).toBe(200);
  expect((await call(first, "embeddings", { model: "sandbox/embed", input: "embed me" })).status).toBe(200);

  // Rotate with a one-hour grace: both secrets work.
  const row = page.getByRole("table", { name: "Your API keys" }).getByRole("row").filter({ hasText: "app" });
  await row.first().getByRole("button", { name: "Rotate app" }).click();
  await page.getByRole("dialog").getByText("In 1 hour").click();
  await page.getByRole("dialog").getByRole("button", { name: "Rotate key" }).click();
  const second = (await page.getByTestId("new-key").textContent())!.trim();
  expect(second).toMatch(/^sk-test-/);
  expect(second).not.toBe(first);
  await page.getByRole("button", { name: "I've saved it" }).click();
  const models = (key: string, base: string = INSTANCES[1]) => fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);
  expect(await models(first)).toBe(200);
  expect(await models(second)).toBe(200);
  expect((await call(second, "chat/completions", { model: "sandbox/chat", messages: [{ role: "user", content: "after rotation" }] })).status).toBe(200);

  // Rotate the new one with no grace: it is refused everywhere within a second.
  const prefix = second.slice(0, 14);
  const rotatedRow = page.getByRole("table", { name: "Your API keys" }).getByRole("row").filter({ hasText: prefix });
  await rotatedRow.getByRole("button", { name: "Rotate app" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Rotate key" }).click();
  const third = (await page.getByTestId("new-key").textContent())!.trim();
  await page.getByRole("button", { name: "I've saved it" }).click();
  await expect(rotatedRow).toContainText("Revoked");
  const t0 = Date.now();
  for (const base of INSTANCES) {
    let s = 200;
    while (s !== 401 && Date.now() - t0 < 1_500) s = await models(second, base);
    expect(s).toBe(401);
  }
  expect(await models(third)).toBe(200);

  // The request log, filtered by model through the form; the filter is in the URL.
  await page.goto("/usage/requests");
  const log = page.getByRole("table", { name: "Request log" });
  await expect(log.getByRole("row")).toHaveCount(6); // header + 5 requests
  await page.getByLabel("Model").selectOption("sandbox/embed");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/model=sandbox%2Fembed/);
  await expect(log.getByRole("row")).toHaveCount(2);
  await page.getByLabel("Status").selectOption("FAILED");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page.getByText("No requests match these filters")).toBeVisible();
  await page.goto("/usage/requests?model=sandbox%2Fembed");
  await log.getByRole("link").first().click();
  await expect(page.getByRole("heading", { name: "Request", exact: true })).toBeVisible();
  await expect(page.getByText("Upstream model")).toBeVisible();
  await expect(page.getByTestId("request-cost")).toHaveText(/^\$0\.0000/);

  // CSV of a filtered view, checked row by row against the database.
  const [owner] = await query<{ user_id: string; account_id: string }>(
    "SELECT u.id AS user_id, a.id AS account_id FROM users u JOIN accounts a ON a.user_id = u.id WHERE u.email = $1",
    [email],
  );
  expect(owner).toBeTruthy();
  const { account_id } = owner!;
  const csv = await page.request.get("/api/usage/export?model=sandbox%2Fchat");
  expect(csv.status()).toBe(200);
  expect(csv.headers()["content-type"]).toContain("text/csv");
  const [header, ...lines] = parseCsv(await csv.text());
  const col = (name: string) => header!.indexOf(name);
  const db = await query<{ request_id: string; cost_micros: string; input_tokens: number; output_tokens: number }>(
    "SELECT request_id, cost_micros::text, input_tokens, output_tokens FROM usage_records WHERE account_id = $1 AND model_id = 'sandbox/chat' ORDER BY created_at DESC, id DESC",
    [account_id],
  );
  expect(lines).toHaveLength(4);
  expect(lines.map((l) => [l[col("request_id")], l[col("cost_micros")], Number(l[col("input_tokens")]), Number(l[col("output_tokens")])])).toEqual(
    db.map((r) => [r.request_id, r.cost_micros, r.input_tokens, r.output_tokens]),
  );
  const unauthenticated = await fetch(`${INSTANCES[0]}/api/usage/export`);
  expect(unauthenticated.status).toBe(401);

  // The balance history sums to the balance.
  await page.goto("/billing/history");
  const balance = BigInt((await balanceOf(third)).balance_micros);
  await expect(page.getByTestId("history-balance")).toHaveAttribute("data-micros", balance.toString());
  const amounts = await page.getByTestId("history-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-amount-micros")!));
  expect(amounts.reduce((sum, a) => sum + BigInt(a), 0n)).toBe(balance);
  await expect(page.getByText("Balance matches the ledger")).toBeVisible();
  const usageRow = page.getByTestId("history-row").filter({ hasText: "Usage" }).first();
  await usageRow.getByRole("button", { name: /Show \d+ requests?/ }).click();
  await expect(usageRow.getByRole("listitem").first()).toBeVisible();
});

test("a signed-out deep link comes back after sign-in; bad filters are said, not replaced; a missing request is a real 404", async ({ page }) => {
  const email = uniqueEmail("deep-link");
  const password = "correct horse battery";
  await portal("user:create", "--email", email, "--password", password);

  // Signed out: sign-in keeps the page asked for, and goes there afterwards (an outside address never).
  await page.goto("/usage/requests?status=FAILED");
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fusage%2Frequests%3Fstatus%3DFAILED$/);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/usage\/requests\?status=FAILED$/);
  await expect(page.getByLabel("Status")).toHaveValue("FAILED");
  await page.goto("/sign-in?callbackUrl=%2F%2Fevil.example%2Fbilling");
  await expect(page).toHaveURL(/127\.0\.0\.1:\d+\/billing$/);

  // From after To: the dates stay as typed and the page says why nothing is shown.
  await page.goto("/usage/requests?from=2026-03-05&to=2026-03-04");
  await expect(page.getByRole("alert").filter({ hasText: "From must be on or before To." })).toBeVisible();
  await expect(page.getByLabel("From")).toHaveValue("2026-03-05");
  await expect(page.getByLabel("To")).toHaveValue("2026-03-04");
  await page.goto("/usage?from=2020-01-01&to=2026-03-04");
  await expect(page.getByRole("alert").filter({ hasText: "Ranges can span at most 400 days" })).toBeVisible();
  await expect(page.getByLabel("From")).toHaveValue("2020-01-01");
  expect((await page.request.get("/api/usage/requests?key=garbage")).status()).toBe(400);
  expect((await page.request.get("/api/usage/export?from=2026-13-45")).status()).toBe(400);

  // A request that is not yours (or no request id at all) answers 404, not a 200 page that says so.
  expect((await page.goto("/usage/requests/00000000-0000-4000-8000-000000000000"))?.status()).toBe(404);
  expect((await page.goto("/usage/requests/not-a-uuid"))?.status()).toBe(404);
});
