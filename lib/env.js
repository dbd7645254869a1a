// The validated environment: the only module that reads process.env (imported by next.config.js, so a
// bad value fails the build and the start, not the first request). Every variable is optional in
// development; production must set the secrets.
import { z } from "zod";

const optionalString = z.preprocess((v) => (v === "" ? undefined : v), z.string().optional());
const optionalUrl = z.preprocess((v) => (v === "" ? undefined : v), z.url().optional());

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    DATABASE_URL: optionalString,
    /** Where the launcher keeps the embedded PostgreSQL and generated local secrets. */
    DATA_DIR: z.string().default(".data"),
    EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
    NEXTAUTH_SECRET: optionalString,
    NEXTAUTH_URL: optionalUrl,
    STRIPE_SECRET_KEY: optionalString,
    STRIPE_WEBHOOK_SECRET: optionalString,
    STRIPE_API_BASE: optionalUrl,
    SMTP_URL: optionalString,
    MAIL_FROM: optionalString,
    /** Largest accepted request body on /v1, in bytes. */
    MAX_BODY_BYTES: z.coerce.number().int().positive().default(2 * 1024 * 1024),
    /** How long a request's hold may stay open before the sweeper releases it. */
    HOLD_TTL_SECONDS: z.coerce.number().int().positive().default(900),
    /** Failed sign-in attempts allowed per email in SIGNIN_WINDOW_SECONDS. */
    SIGNIN_MAX_ATTEMPTS: z.coerce.number().int().positive().default(10),
    /** Failed sign-in attempts allowed per client address (any emails) in SIGNIN_WINDOW_SECONDS: more, as people share addresses. */
    SIGNIN_MAX_ATTEMPTS_PER_ADDRESS: z.coerce.number().int().positive().default(50),
    SIGNIN_WINDOW_SECONDS: z.coerce.number().int().positive().default(900),
    /** How many proxies in front of the app append to X-Forwarded-For; 0 = none: the socket's address is the client's. */
    TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
    /** Delay between sandbox stream chunks, in milliseconds (0 = as fast as possible). */
    SANDBOX_CHUNK_DELAY_MS: z.coerce.number().int().min(0).default(0),
    /** Upstream timeouts, in milliseconds: connecting, waiting for the first byte, and between two chunks. */
    UPSTREAM_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
    UPSTREAM_FIRST_BYTE_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
    UPSTREAM_IDLE_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
    /** Next's build folder (default .next); lets separate builds of one checkout coexist. */
    NEXT_DIST_DIR: z.string().regex(/^\.next[\w-]*$/, "must be .next or start with .next").default(".next"),
    /** Lets tests move the application clock (POST /api/test/clock). Never set it in production. */
    ENABLE_TEST_CLOCK: z.stringbool().default(false),
    /** Comma-separated emails that become administrators when they sign up or sign in. */
    ADMIN_EMAILS: z
      .string()
      .default("")
      .transform((v) => v.split(",").map((e) => e.trim().toLowerCase()).filter(Boolean)),
    /** Disables the in-process background jobs (hold sweeper), e.g. for a one-off command. */
    DISABLE_BACKGROUND_JOBS: z.stringbool().default(false),
    /** Async media tasks: the sandbox's generation time, a task's deadline, its hold's expiry (longer than the deadline), how long results are kept, how often a running task is polled. */
    SANDBOX_MEDIA_DELAY_MS: z.coerce.number().int().min(0).default(3000),
    TASK_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(1800),
    TASK_HOLD_TTL_SECONDS: z.coerce.number().int().positive().default(7200),
    TASK_RESULT_TTL_SECONDS: z.coerce.number().int().positive().default(7 * 24 * 3600),
    TASK_POLL_INTERVAL_MS: z.coerce.number().int().positive().default(1000),
    /** Database connections per process. A few busy connections beat many idle-waiting ones: at 64 concurrent holds on 2 cores, 6–8 connections cost PostgreSQL ≈30% less CPU per request than 20. */
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(8),
    /** The most holds (or settlements) one money-core statement takes when requests arrive together; 1 = one statement per request. */
    BILLING_BATCH_MAX: z.coerce.number().int().min(1).max(500).default(64),
    /** Production server processes behind one port (`npm start`); unset = one per core. */
    WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).optional(),
    /** Load shedding, per process: the most /v1 requests in flight (the adaptive limit's ceiling): streams wait seconds on their providers at almost no cost, and need room. */
    GATEWAY_MAX_INFLIGHT: z.coerce.number().int().positive().default(1024),
    /** Load shedding, per process: the gateway's own time per answer (ms, beyond the provider's) that the adaptive in-flight limit keeps under, shrinking while answers take longer on a busy process and growing back up to GATEWAY_MAX_INFLIGHT; 0 = off (both targets 0 = a fixed limit). */
    GATEWAY_TARGET_OVERHEAD_MS: z.coerce.number().int().min(0).default(100),
    /** Load shedding, per process: the event-loop lag (ms) the adaptive in-flight limit keeps under on a busy process, so that the gate can read (and refuse) new requests at once; 0 = off. */
    GATEWAY_TARGET_LAG_MS: z.coerce.number().int().min(0).default(25),
    /** Load shedding, per process: event-loop lag (ms) past which new /v1 requests get 503 overloaded; 0 = off. */
    GATEWAY_MAX_LAG_MS: z.coerce.number().int().min(0).default(40),
    /** Load shedding, per process: how long (ms) a request may have waited for a database connection before new /v1 requests get 503 overloaded; 0 = off. */
    GATEWAY_MAX_DB_WAIT_MS: z.coerce.number().int().min(0).default(200),
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.STRIPE_SECRET_KEY) !== Boolean(env.STRIPE_WEBHOOK_SECRET)) {
      ctx.addIssue({
        code: "custom",
        path: ["STRIPE_WEBHOOK_SECRET"],
        message: "set both STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET, or neither (sandbox checkout)",
      });
    }
  });

const parsed = schema.safeParse(process.env);
if (!parsed.success) {
  const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
  throw new Error(`Invalid environment:\n${lines.join("\n")}`);
}

/** @type {z.infer<typeof schema>} */
export const env = parsed.data;

/**
 * A provider's secret, by the variable name an operator configured for it (providers.api_key_env).
 * Read at call time, so a secret can be rotated by restarting with a new value. Only names that look
 * like environment variables are read.
 * @param {string | null} name
 * @returns {string | undefined}
 */
export function providerSecret(name) {
  if (!name || !/^[A-Z][A-Z0-9_]{0,127}$/.test(name)) return undefined;
  const value = process.env[name];
  return value ? value : undefined;
}

/** Whether real Stripe is configured; otherwise the sandbox checkout serves top-ups. */
export const stripeEnabled = Boolean(env.STRIPE_SECRET_KEY && env.STRIPE_WEBHOOK_SECRET);

/**
 * Whether an email is listed in ADMIN_EMAILS (such a user becomes an administrator on sign-up or sign-in).
 * @param {string} email
 */
export function isAdminEmail(email) {
  return env.ADMIN_EMAILS.includes(email.trim().toLowerCase());
}
