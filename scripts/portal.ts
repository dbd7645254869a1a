// The operator's command line (API.md "Operator command line"): `npm run portal -- <command> [flags]`.
// Each command prints exactly one JSON object on stdout and exits 0; an error goes to stderr as
// `error: <message>` with exit 2 (bad usage) or 1 (failure). Uses DATABASE_URL, or the embedded
// PostgreSQL of `npm run dev` when it is unset. Money moves only through the ledger's verbs.
import { randomUUID } from "node:crypto";
import os from "node:os";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { z } from "zod";
import { SignUpInput } from "../lib/auth/schemas";
import { isAppError } from "../lib/errors";
import { moneyPair, parseUsd } from "../lib/money";
import { resolveDatabaseUrl } from "./lib/database-url";

/** Bad flags or arguments: exit 2. */
class UsageError extends Error {}
/** The command could not do what was asked (no such user, a duplicate…): exit 1. */
class Failure extends Error {}

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig["options"]>;

interface Outcome {
  output: Record<string, unknown>;
  exitCode?: number;
  /** Said on stderr alongside a non-zero exit. */
  problem?: string;
}

interface Command<S extends z.ZodType> {
  usage: string;
  summary: string;
  options: ParseArgsOptionsConfig;
  schema: S;
  run(input: z.output<S>): Promise<Outcome>;
}

const defineCommand = <S extends z.ZodType>(command: Command<S>) => command;

// ── flag schemas: every message names the flag and says what a good value looks like ──────────────

const required = (flag: string) => z.string({ error: `${flag} is required` });

const emailFlag = required("--email")
  .trim()
  .toLowerCase()
  .pipe(z.email(`--email must be an email address, like ada@example.com`));

const usdFlag = (flag: string) =>
  required(flag).transform((text, ctx) => {
    try {
      return parseUsd(text);
    } catch {
      ctx.addIssue({ code: "custom", message: `${flag} must be a dollar amount like 12.50` });
      return z.NEVER;
    }
  });

const expiresFlag = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "--expires must be a date like 2027-01-31")
  .transform((text, ctx) => {
    // The end of that day (UTC), as the portal's date fields mean it.
    const date = new Date(`${text}T23:59:59.999Z`);
    if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text) {
      ctx.addIssue({ code: "custom", message: `--expires: ${text} is not a real date` });
      return z.NEVER;
    }
    return date;
  });

const modelsFlag = z
  .string()
  .transform((text) => text.split(",").map((m) => m.trim()).filter(Boolean))
  .refine((models) => models.length > 0, "--models must list model ids separated by commas, like sandbox/chat,sandbox/embed");

/** The namespace of operator grants in ledger references, so an operator's reference cannot collide with a payment's. */
const GRANT_PREFIX = "cli-grant:";

// ── the commands ─────────────────────────────────────────────────────────────────────────────────

const commands = {
  "user:create": defineCommand({
    usage: "user:create --email E --password P [--name N] [--admin]",
    summary: "create a user (and their empty prepaid account); --admin makes them an administrator",
    options: { email: { type: "string" }, password: { type: "string" }, name: { type: "string" }, admin: { type: "boolean" } },
    schema: z
      .object({ email: z.string({ error: "--email is required" }), password: required("--password"), name: z.string().optional(), admin: z.boolean().default(false) })
      .transform((v, ctx) => {
        // The sign-up rules themselves (lib/auth/schemas), reported against the flag they concern.
        const parsed = SignUpInput.safeParse({ email: v.email, password: v.password, name: v.name });
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          ctx.addIssue({ code: "custom", message: `--${String(issue.path[0] ?? "email")}: ${issue.message}` });
          return z.NEVER;
        }
        return { input: { email: v.email, password: v.password, name: v.name }, admin: v.admin };
      }),
    async run({ input, admin }) {
      const { signUp } = await import("../lib/auth/sign-up");
      const user = await signUp({ input, role: admin ? "ADMIN" : "USER" }).catch((error: unknown) => {
        if (isAppError(error) && error.code === "conflict") throw new Failure(`a user with the email ${input.email.trim().toLowerCase()} already exists`);
        throw error;
      });
      return {
        output: { id: user.id, email: user.email, name: user.name, role: user.role.toLowerCase(), created_at: user.createdAt.toISOString() },
      };
    },
  }),

  "credits:grant": defineCommand({
    usage: 'credits:grant --email E --usd 12.50 --reason "..." [--reference R]',
    summary:
      "post an adjustment to a user's balance (a negative amount debits: --usd=-5.00); with --reference, running it again grants once",
    options: { email: { type: "string" }, usd: { type: "string" }, reason: { type: "string" }, reference: { type: "string" } },
    schema: z.object({
      email: emailFlag,
      usd: usdFlag("--usd").refine((micros) => micros !== 0n, "--usd must not be zero"),
      reason: required("--reason").trim().min(1, "--reason must say why (it is written to the ledger)").max(500, "--reason must be under 500 characters"),
      reference: z.string().trim().min(1, "--reference must not be empty").max(200, "--reference must be under 200 characters").optional(),
    }),
    async run({ email, usd, reason, reference }) {
      const { postEntryOnce } = await import("../lib/billing/ledger");
      const { db } = await import("../lib/db");
      const user = await findUser(email);
      const result = await postEntryOnce({
        accountId: user.accountId,
        kind: "ADJUSTMENT",
        amountMicros: usd,
        reference: `${GRANT_PREFIX}${reference ?? randomUUID()}`,
        description: reason,
        actor: `cli:${os.userInfo().username}`,
      });
      // A repeated reference reports the entry that was posted the first time, with its own amount.
      const entry = await db.ledgerEntry.findUniqueOrThrow({
        where: { id: result.entryId },
        select: { amountMicros: true, reference: true, description: true },
      });
      return {
        output: {
          applied: result.applied,
          entry_id: result.entryId.toString(),
          email: user.email,
          account_id: user.accountId,
          reference: entry.reference,
          reason: entry.description,
          ...moneyPair("amount", entry.amountMicros),
          ...moneyPair("balance", result.balanceAfterMicros),
        },
      };
    },
  }),

  "key:create": defineCommand({
    usage:
      "key:create --email E --name N [--spend-limit-usd X] [--models a,b] [--environment development|production] [--expires YYYY-MM-DD]",
    summary: "create an API key for a user and print it (the only time it is shown); --expires is the end of that day, UTC, as in the portal",
    options: {
      email: { type: "string" },
      name: { type: "string" },
      "spend-limit-usd": { type: "string" },
      models: { type: "string" },
      environment: { type: "string" },
      expires: { type: "string" },
    },
    schema: z.object({
      email: emailFlag,
      name: required("--name").trim().min(1, "--name must not be empty").max(80, "--name must be under 80 characters"),
      "spend-limit-usd": usdFlag("--spend-limit-usd")
        .refine((micros) => micros > 0n, "--spend-limit-usd must be more than 0")
        .optional(),
      models: modelsFlag.optional(),
      environment: z
        .string()
        .transform((v) => v.toLowerCase())
        .pipe(z.enum(["development", "production"], { error: "--environment must be development or production" }))
        .default("development"),
      expires: expiresFlag.optional(),
    }),
    async run(input) {
      const { createKey } = await import("../lib/keys/create-key");
      const user = await findUser(input.email);
      const { key, record } = await createKey({
        ctx: { userId: user.id },
        input: {
          name: input.name,
          environment: input.environment === "production" ? "PRODUCTION" : "DEVELOPMENT",
          spendLimitMicros: input["spend-limit-usd"] ?? null,
          allowedModels: input.models ?? [],
          expiresAt: input.expires ?? null,
        },
      });
      return {
        output: {
          key,
          id: record.id,
          email: user.email,
          name: record.name,
          environment: record.environment.toLowerCase(),
          prefix: record.prefix,
          ...(record.spendLimitMicros === null
            ? { spend_limit: null, spend_limit_micros: null }
            : moneyPair("spend_limit", record.spendLimitMicros)),
          allowed_models: record.allowedModels,
          expires_at: record.expiresAt?.toISOString() ?? null,
          created_at: record.createdAt.toISOString(),
        },
      };
    },
  }),

  "ledger:check": defineCommand({
    usage: "ledger:check",
    summary: "verify every account's invariants; exits 1 and lists each violation when any is broken",
    options: {},
    schema: z.object({}),
    async run() {
      // The result is kept (table ledger_checks) for the admin health page.
      const { recordLedgerCheck } = await import("../lib/billing/record-ledger-check");
      const result = await recordLedgerCheck({ source: "cli", actor: `cli:${os.userInfo().username}` });
      const output = {
        ok: result.ok,
        accounts: result.accounts,
        violations: result.violations.map((v) => ({ account_id: v.accountId, rule: v.rule, detail: v.detail })),
      };
      if (result.ok) return { output };
      const n = result.violations.length;
      return { output, exitCode: 1, problem: `the ledger check found ${n} violation${n === 1 ? "" : "s"}` };
    },
  }),

  "codes:create": defineCommand({
    usage: "codes:create --usd X --count N [--expires YYYY-MM-DD]",
    summary: "create N single-use redemption codes worth $X each (printed once; default expiry in 90 days; --expires is the end of that day, UTC)",
    options: { usd: { type: "string" }, count: { type: "string" }, expires: { type: "string" } },
    schema: z.object({
      usd: usdFlag("--usd").refine((micros) => micros > 0n, "--usd must be more than 0"),
      count: required("--count")
        .regex(/^\d{1,4}$/, "--count must be a whole number from 1 to 1000")
        .transform(Number)
        .refine((n) => n >= 1 && n <= 1000, "--count must be a whole number from 1 to 1000"),
      expires: expiresFlag.optional(),
    }),
    async run({ usd, count, expires }) {
      const { createCodes } = await import("../lib/admin/create-codes");
      const batch = await createCodes({
        ctx: null,
        actorLabel: `cli:${os.userInfo().username}`,
        input: { amountMicros: usd, count, expiresAt: expires ?? new Date(Date.now() + 90 * 86_400_000) },
      });
      return {
        output: { batch_id: batch.batchId, count: batch.codes.length, ...moneyPair("amount", batch.amountMicros), expires_at: batch.expiresAt.toISOString(), codes: batch.codes },
      };
    },
  }),

  "holds:sweep": defineCommand({
    usage: "holds:sweep",
    summary: "release every hold past its expiry now",
    options: {},
    schema: z.object({}),
    async run() {
      const { sweepExpiredHolds } = await import("../lib/billing/holds");
      return { output: { released: await sweepExpiredHolds() } };
    },
  }),

  "usage:rollup": defineCommand({
    usage: "usage:rollup [--rebuild]",
    summary: "add the days that are over to the usage dashboard's daily rollup now (--rebuild: start it over, after importing records with past dates)",
    options: { rebuild: { type: "boolean" } },
    schema: z.object({ rebuild: z.boolean().optional() }),
    async run({ rebuild }) {
      const { rebuildUsageRollup, rollUpUsage } = await import("../lib/usage/roll-up-usage");
      const result = rebuild ? await rebuildUsageRollup() : await rollUpUsage({ wait: true });
      return { output: { rolled_until: result.rolledUntil, days: result.days, rows: result.rows, skipped: result.skipped ?? null } };
    },
  }),

  "subscriptions:renew": defineCommand({
    usage: "subscriptions:renew",
    summary: "renew sandbox and manual subscriptions whose period is over, or end those canceled at the period end (Stripe renews its own)",
    options: {},
    schema: z.object({}),
    async run() {
      const { renewDueSubscriptions } = await import("../lib/billing/subscriptions/renew-due");
      return { output: await renewDueSubscriptions() };
    },
  }),

  "payments:reconcile": defineCommand({
    usage: "payments:reconcile [--days N]",
    summary: "apply paid Stripe top-ups, plan checkouts and renewals a missed webhook never applied (each once; default: the last 3 days)",
    options: { days: { type: "string" } },
    schema: z.object({
      days: z
        .string()
        .regex(/^\d{1,3}$/, "--days must be a whole number from 1 to 90")
        .transform(Number)
        .refine((n) => n >= 1 && n <= 90, "--days must be a whole number from 1 to 90")
        .optional(),
    }),
    async run({ days }) {
      const { stripeEnabled } = await import("../lib/env.js");
      if (!stripeEnabled) throw new Failure("Stripe is not configured: set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET");
      const { reconcilePayments } = await import("../lib/payments/reconcile");
      const result = await reconcilePayments({ days });
      return {
        output: {
          sessions_seen: result.sessionsSeen,
          intents_seen: result.intentsSeen,
          invoices_seen: result.invoicesSeen,
          credited: result.credited,
          subscriptions: result.subscriptions,
          failed: result.failed,
        },
      };
    },
  }),
};

type CommandName = keyof typeof commands;
const isCommandName = (name: string): name is CommandName => Object.hasOwn(commands, name);

async function findUser(email: string) {
  const { db } = await import("../lib/db");
  const user = await db.user.findUnique({ where: { email }, select: { id: true, email: true, account: { select: { id: true } } } });
  if (!user) throw new Failure(`no user has the email ${email}`);
  if (!user.account) throw new Failure(`the user ${email} has no account`);
  return { id: user.id, email: user.email, accountId: user.account.id };
}

function helpText(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  return [
    "Meterway operator command line",
    "",
    "usage: npm run portal -- <command> [flags]",
    "",
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}\n  ${" ".repeat(width)}  ${c.usage}`),
    `  ${"help".padEnd(width)}  show this list (also --help, or <command> --help)`,
    "",
    "Each command prints one JSON object on stdout. Errors go to stderr; exit code 2 means bad usage,",
    "1 a failure (or, for ledger:check, violations). DATABASE_URL selects the database; unset, the",
    "embedded PostgreSQL of `npm run dev` under DATA_DIR is used (started and stopped if not running).",
    "",
  ].join("\n");
}

/** util.parseArgs' messages, minus its advice about positional arguments, which these commands do not take. */
function parseArgsMessage(error: unknown, flags: string[]): string {
  const message = error instanceof Error ? error.message : String(error);
  const ambiguous = /^Option '(--[\w-]+)/.exec(message);
  if (ambiguous && message.includes("ambiguous")) {
    const flag = ambiguous[1]!;
    return `${flag} needs a value; for one starting with "-" write ${flag}=${flag.endsWith("usd") ? "-5.00" : "<value>"}`;
  }
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown flag ${unknown[1]}; this command takes ${flags.length ? flags.map((f) => `--${f}`).join(", ") : "no flags"}`;
  const positional = /^Unexpected argument '([^']+)'/.exec(message);
  if (positional) return `unexpected argument "${positional[1]}" (values go after their flag, like --email ada@example.com)`;
  return message;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(helpText());
    return 0;
  }
  if (!name) throw new UsageError("no command given; run `npm run portal -- help` for the list");
  if (!isCommandName(name)) throw new UsageError(`unknown command "${name}"; run \`npm run portal -- help\` for the list`);
  // Widened on purpose: each command's schema, options and run agree, which one union call cannot show.
  const command = commands[name] as unknown as Command<z.ZodType<unknown>>;

  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(parseArgsMessage(error, Object.keys(command.options)));
  }
  if (values.help) {
    process.stdout.write(`usage: npm run portal -- ${command.usage}\n  ${command.summary}\n`);
    return 0;
  }
  delete values.help;
  const parsed = command.schema.safeParse(values);
  if (!parsed.success) throw new UsageError(parsed.error.issues[0]?.message ?? "invalid flags");

  // A one-off command must not start the app's background jobs (read by lib/env.js, imported below).
  process.env.DISABLE_BACKGROUND_JOBS ??= "true";
  const database = await resolveDatabaseUrl((line) => process.stderr.write(`[meterway] ${line}\n`));
  try {
    const outcome = await command.run(parsed.data);
    process.stdout.write(`${JSON.stringify(outcome.output)}\n`);
    if (outcome.problem) process.stderr.write(`error: ${outcome.problem}\n`);
    return outcome.exitCode ?? 0;
  } finally {
    const { disconnectDb } = await import("../lib/db");
    await disconnectDb().catch(() => {});
    await database.release();
  }
}

/** Flag names for an AppError's `param`, so the message points at what to change. */
const PARAM_FLAGS: Record<string, string> = {
  email: "--email",
  password: "--password",
  name: "--name",
  amount: "--usd",
  allowedModels: "--models",
  expiresAt: "--expires",
  spendLimitMicros: "--spend-limit-usd",
  environment: "--environment",
  count: "--count",
};

function report(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`error: ${error.message}\n`);
    return 2;
  }
  if (error instanceof Failure) {
    process.stderr.write(`error: ${error.message}\n`);
    return 1;
  }
  if (isAppError(error)) {
    const flag = error.param ? PARAM_FLAGS[error.param] : undefined;
    process.stderr.write(`error: ${flag ? `${flag}: ` : ""}${error.message}\n`);
    return error.code === "invalid_request" ? 2 : 1;
  }
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => process.exit(report(error)),
);
