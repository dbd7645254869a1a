// The operator CLI run for real, as a subprocess, against this file's own database.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { reserve } from "@/lib/billing/holds";
import { db } from "@/lib/db";
import { accountState, createFunded } from "@/scripts/test/fixtures";

const ROOT = path.resolve(import.meta.dirname, "..");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function portal(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/portal.ts", ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The one JSON object a successful command prints. */
function output(run: Run): Record<string, unknown> {
  expect(run.stderr, run.stderr).not.toMatch(/^error:/m);
  expect(run.stdout.trim().split("\n")).toHaveLength(1);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

let seq = 0;
const email = () => `cli-${Date.now()}-${seq++}@example.test`;

describe("npm run portal", () => {
  it("creates a user, and refuses a duplicate email with a clear message", async () => {
    const address = email();
    const created = output(await portal("user:create", "--email", address.toUpperCase(), "--password", "longpassword", "--admin"));
    expect(created).toMatchObject({ email: address, role: "admin" });
    const user = await db.user.findUniqueOrThrow({ where: { email: address }, include: { account: true } });
    expect(user.role).toBe("ADMIN");
    expect(user.account?.balanceMicros).toBe(0n);
    expect(user.passwordHash).not.toContain("longpassword");

    const duplicate = await portal("user:create", "--email", address, "--password", "longpassword");
    expect(duplicate.code).toBe(1);
    expect(duplicate.stdout).toBe("");
    expect(duplicate.stderr).toContain(`error: a user with the email ${address} already exists`);
  });

  it("grants credits exactly, once per --reference, and debits with a negative amount", async () => {
    const { email: address, account } = await createFunded(0n);
    const grant = () => portal("credits:grant", "--email", address, "--usd", "12.50", "--reason", "welcome credit", "--reference", "welcome-1");

    const first = output(await grant());
    expect(first).toMatchObject({ applied: true, amount: "12.500000", amount_micros: 12_500_000, balance: "12.500000", balance_micros: 12_500_000 });
    const again = output(await grant());
    expect(again).toMatchObject({ applied: false, entry_id: first.entry_id, amount_micros: 12_500_000, balance_micros: 12_500_000 });
    expect(await accountState(account.id)).toEqual({ balance: 12_500_000n, reserved: 0n, available: 12_500_000n });
    const entries = await db.ledgerEntry.findMany({ where: { accountId: account.id } });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ kind: "ADJUSTMENT", amountMicros: 12_500_000n, description: "welcome credit" });

    // Without --reference every run is a grant of its own; a negative amount is a debit.
    output(await portal("credits:grant", "--email", address, "--usd", "0.000001", "--reason", "a micro"));
    output(await portal("credits:grant", "--email", address, "--usd", "0.000001", "--reason", "a micro"));
    const debit = output(await portal("credits:grant", "--email", address, "--usd=-2.5", "--reason", "correction"));
    expect(debit).toMatchObject({ applied: true, amount: "-2.500000", balance_micros: 10_000_002 });
    expect(await db.ledgerEntry.count({ where: { accountId: account.id } })).toBe(4);

    const overdraw = await portal("credits:grant", "--email", address, "--usd=-100", "--reason", "too much");
    expect(overdraw.code).toBe(1);
    expect(overdraw.stdout).toBe("");
    expect(overdraw.stderr).toContain("error: The debit of $100.00 is larger than the available balance of $10.000002");
    expect((await accountState(account.id)).balance).toBe(10_000_002n);

    const nobody = await portal("credits:grant", "--email", "nobody@example.test", "--usd", "1", "--reason", "x");
    expect(nobody).toMatchObject({ code: 1, stdout: "" });
    expect(nobody.stderr).toContain("error: no user has the email nobody@example.test");
  });

  it("creates a key, prints it once and stores only its SHA-256 hash with the limit and models", async () => {
    const { email: address, user } = await createFunded(0n);
    await db.$executeRaw`INSERT INTO models (id, type, provider_id, upstream_model, display_name, description)
      VALUES ('sandbox/cli-test', 'CHAT', 'sandbox', 'cli-test', 'CLI test', '') ON CONFLICT (id) DO NOTHING`;
    const printed = output(
      await portal("key:create", "--email", address, "--name", "ci", "--spend-limit-usd", "5", "--models", "sandbox/chat, sandbox/cli-test",
        "--environment", "production", "--expires", "2099-12-31"),
    );
    expect(printed).toMatchObject({
      name: "ci",
      environment: "production",
      spend_limit: "5.000000",
      spend_limit_micros: 5_000_000,
      allowed_models: ["sandbox/chat", "sandbox/cli-test"],
      expires_at: "2099-12-31T23:59:59.999Z",
    });
    const key = printed.key as string;
    expect(key).toMatch(/^sk-live-[0-9A-Za-z]{40}$/);

    const rows = await db.$queryRaw<Record<string, unknown>[]>`SELECT * FROM api_keys WHERE user_id = ${user.id}::uuid AND name = 'ci'`;
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row.hash).toBe(createHash("sha256").update(key).digest("hex"));
    expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))).not.toContain(key);
    expect(row).toMatchObject({ spend_limit_micros: 5_000_000n, allowed_models: ["sandbox/chat", "sandbox/cli-test"], environment: "PRODUCTION" });
    expect(printed.id).toBe(row.id);

    const unknownModel = await portal("key:create", "--email", address, "--name", "x", "--models", "no/such-model");
    expect(unknownModel).toMatchObject({ code: 2, stdout: "" });
    expect(unknownModel.stderr).toContain("error: --models: The allowlist names a model that does not exist");
  });

  it("ledger:check exits 0 on a clean ledger and 1 listing a violation", async () => {
    const { account } = await createFunded(1_000n);
    const clean = await portal("ledger:check");
    expect(clean.code).toBe(0);
    expect(output(clean)).toMatchObject({ ok: true, violations: [] });

    await db.$executeRaw`UPDATE accounts SET balance_micros = balance_micros + 1 WHERE id = ${account.id}::uuid`;
    try {
      const broken = await portal("ledger:check");
      expect(broken.code).toBe(1);
      expect(broken.stderr).toContain("error: the ledger check found 1 violation");
      const result = JSON.parse(broken.stdout) as { ok: boolean; violations: { account_id: string; rule: string; detail: string }[] };
      expect(result.ok).toBe(false);
      expect(result.violations).toEqual([
        { account_id: account.id, rule: "balance equals the sum of its ledger", detail: "balance 1001, sum of ledger 1000" },
      ]);
    } finally {
      await db.$executeRaw`UPDATE accounts SET balance_micros = balance_micros - 1 WHERE id = ${account.id}::uuid`;
    }
  });

  it("holds:sweep releases a hold past its expiry, leaving a failed request of cost 0 in the request log", async () => {
    const { account, keyId } = await createFunded(1_000n);
    const requestId = `req_cli_${Date.now()}`;
    const hold = await reserve({ accountId: account.id, apiKeyId: keyId, requestId, maxMicros: 400n, minMicros: 400n });
    if (!hold.ok) throw new Error("expected a hold");
    expect(await accountState(account.id)).toMatchObject({ reserved: 400n });
    await db.$executeRaw`UPDATE holds SET expires_at = now() - interval '1 minute' WHERE id = ${hold.holdId}::uuid`;

    expect(output(await portal("holds:sweep"))).toEqual({ released: 1 });
    expect(await db.hold.findUniqueOrThrow({ where: { id: hold.holdId } })).toMatchObject({ status: "RELEASED" });
    expect(await accountState(account.id)).toEqual({ balance: 1_000n, reserved: 0n, available: 1_000n });
    expect(await db.usageRecord.findUniqueOrThrow({ where: { requestId } })).toMatchObject({ status: "FAILED", costMicros: 0n });
    expect(output(await portal("holds:sweep"))).toEqual({ released: 0 });
    expect(await db.usageRecord.count({ where: { requestId } })).toBe(1);
  });

  it("subscriptions:renew opens the next period of a sandbox subscription that is over, once", async () => {
    const { user } = await createFunded(0n);
    const plan = await db.plan.create({ data: { slug: `cli-${Date.now()}`, name: "CLI plan", priceMicros: 1_000_000n, allowanceMicros: 500n } });
    const start = new Date(Date.now() - 45 * 86_400_000);
    const { startSubscription } = await import("@/lib/billing/subscriptions/start-subscription");
    const { subscriptionId } = await startSubscription({ userId: user.id, planId: plan.id, provider: "SANDBOX", periodStart: start });

    const first = output(await portal("subscriptions:renew"));
    expect(first.renewed).toBeGreaterThanOrEqual(1);
    const renewed = await db.subscription.findUniqueOrThrow({ where: { id: subscriptionId } });
    expect(renewed.currentPeriodStart.getTime()).toBeGreaterThan(start.getTime());
    expect(await db.subscriptionInvoice.count({ where: { subscriptionId } })).toBe(1);
    await portal("subscriptions:renew");
    expect(await db.subscriptionInvoice.count({ where: { subscriptionId } })).toBe(1);
  });

  it.each([
    [["credits:grant", "--email", "a@example.test", "--usd", "12.5.0", "--reason", "x"], "error: --usd must be a dollar amount like 12.50"],
    [["credits:grant", "--email", "a@example.test", "--usd", "1"], "error: --reason is required"],
    [["credits:grant", "--email", "a@example.test", "--usd", "-5", "--reason", "x"], "error: --usd needs a value; for one starting with \"-\" write --usd=-5.00"],
    [["user:create", "--email", "not-an-email", "--password", "longpassword"], "error: --email"],
    [["user:create", "--email", "a@example.test", "--password", "short"], "error: --password: Use at least 8 characters"],
    [["key:create", "--email", "a@example.test", "--name", "k", "--expires", "2030-02-30"], "error: --expires: 2030-02-30 is not a real date"],
    [["key:create", "--email", "a@example.test", "--name", "k", "--environment", "staging"], "error: --environment must be development or production"],
    [["holds:sweep", "--force"], "error: unknown flag --force"],
    [["nonsense"], 'error: unknown command "nonsense"'],
    [[], "error: no command given"],
  ])("rejects bad usage %j with exit 2, a message on stderr and nothing on stdout", async (args, message) => {
    const run = await portal(...args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(message);
  });

  it("lists the commands for help", async () => {
    const run = await portal("--help");
    expect(run.code).toBe(0);
    for (const command of ["user:create", "credits:grant", "key:create", "ledger:check", "holds:sweep"]) expect(run.stdout).toContain(command);
  });
});
