// The one Prisma client (pg driver adapter), and `sqlQuery` for the money core's hot-path statements
// (single CTE statements, see lib/billing/holds.ts) straight on the same pg pool.
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/generated/prisma/client";
import { env } from "@/lib/env.js";

import { Prisma } from "@/generated/prisma/client";
export { Prisma };
export type { PrismaClient } from "@/generated/prisma/client";

function databaseUrl(): string {
  if (!env.DATABASE_URL) {
    throw new Error("DATABASE_URL is not set. Start the app with `npm run dev`, which provides an embedded PostgreSQL.");
  }
  return env.DATABASE_URL;
}

function createClient() {
  const pool = new pg.Pool({ connectionString: databaseUrl(), max: env.DATABASE_POOL_SIZE, idleTimeoutMillis: 30_000 });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on("error", (error) => {
    if (!pool.ending) console.error("[db] idle client error:", error.message);
  });
  globalForDb.__pool = pool;
  return new PrismaClient({ adapter: new PrismaPg(pool) });
}

const globalForDb = globalThis as unknown as { __prisma?: ReturnType<typeof createClient>; __pool?: pg.Pool };

/** Created on first use, so that importing this module (e.g. during `next build`) needs no database. */
export const db: ReturnType<typeof createClient> = new Proxy({} as ReturnType<typeof createClient>, {
  get(_target, property) {
    globalForDb.__prisma ??= createClient();
    const value = Reflect.get(globalForDb.__prisma, property);
    return typeof value === "function" ? value.bind(globalForDb.__prisma) : value;
  },
});

/** int8 (bigint, count(*)) as BigInt, as Prisma returns it; every other type as pg parses it. */
const BIGINT_AS_BIGINT = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === 20 ? (value: string) => BigInt(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * Runs ONE statement (a Prisma.sql template) straight on the pool, for the money core's hot-path
 * statements (lib/billing/holds): the same SQL, parameters and results as `$queryRaw`, without
 * Prisma's per-query overhead — measured here at ≈0.35 ms of CPU for a trivial query and ≈1.5 ms for
 * the reserve statement, on every gateway request.
 */
export async function sqlQuery<T>(query: Prisma.Sql, preparedName?: string): Promise<T[]> {
  return sqlText<T>(query.text, query.values, preparedName);
}

/** `sqlQuery` for a statement written as text with $1… placeholders (the money core's batch statements). */
export async function sqlText<T>(text: string, values: unknown[], preparedName?: string): Promise<T[]> {
  globalForDb.__prisma ??= createClient();
  const pool = globalForDb.__pool!;
  // Each wait for a connection is visible (oldest first) to the load-shedding gate (lib/gateway/overload.js).
  const done = waitingForDatabase();
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } finally {
    done();
  }
  try {
    // A name makes it a prepared statement on each pooled connection: PostgreSQL parses and analyses the
    // (large, constant) text once per connection instead of on every request. Only for constant text.
    const result = await client.query({ text, values, types: BIGINT_AS_BIGINT, ...(preparedName ? { name: preparedName } : {}) });
    client.release();
    return result.rows as T[];
  } catch (error) {
    // A refused statement leaves the connection usable (its prepared statements too); a lost one is dropped.
    client.release(isDatabaseUnavailable(error) ? (error as Error) : undefined);
    throw error;
  }
}

/**
 * Marks one request as waiting for the database from now until the returned function is called: for a
 * pool connection, or in a queue in front of one (lib/billing/batcher.ts). The load-shedding gate
 * (lib/gateway/overload.js) sheds when the oldest wait grows too long.
 */
export function waitingForDatabase(): () => void {
  const waiter = nextWaiter++;
  waiters.set(waiter, performance.now());
  return () => waiters.delete(waiter);
}

/** Requests waiting for the database now: id → when they started waiting (performance.now()), oldest first. */
const waiters: Map<number, number> = ((globalThis as unknown as { __dbWaiters?: Map<number, number> }).__dbWaiters ??= new Map());
let nextWaiter = 0;

export type Db = typeof db;
/** A Prisma interactive-transaction client. */
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export async function disconnectDb(): Promise<void> {
  await globalForDb.__prisma?.$disconnect();
  await globalForDb.__pool?.end().catch(() => {});
  globalForDb.__prisma = undefined;
  globalForDb.__pool = undefined;
}

// ── a database that is briefly away (a restart, a failover) ───────────────────────────────────────

/** Prisma's codes for "could not reach / lost the server" (P1001 unreachable, P1002 timed out, P1017 closed). */
const UNAVAILABLE_PRISMA_CODES = new Set(["P1001", "P1002", "P1017"]);
/** The driver adapter's kinds for the same. */
const UNAVAILABLE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
/** SQLSTATEs: admin/crash shutdown, cannot connect now (starting up, shutting down), connection exceptions, too many connections. */
const UNAVAILABLE_SQLSTATE = /^(57P0[123]|08\d{3}|53300)$/;
const UNAVAILABLE_TEXT =
  /Connection terminated|terminating connection|the database system is (starting up|shutting down|in recovery mode|not yet accepting connections)|is not currently accepting connections|Can't reach database server|ECONNREFUSED|ECONNRESET|timeout exceeded when trying to connect|Code: `(57P0[123]|08\d{3})`/;

/**
 * Whether an error means the database could not be reached or dropped the connection (a restart, a
 * failover, a connection limit), as opposed to refusing the statement itself. The gateway answers 503
 * for these rather than a generic 500, and idempotent statements may be retried.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const e = queue.shift();
    if (!e || typeof e !== "object" || seen.has(e) || seen.size > 8) continue;
    seen.add(e);
    const o = e as { code?: unknown; kind?: unknown; originalCode?: unknown; message?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown } };
    if (typeof o.code === "string" && (UNAVAILABLE_PRISMA_CODES.has(o.code) || UNAVAILABLE_SQLSTATE.test(o.code))) return true;
    if (typeof o.originalCode === "string" && UNAVAILABLE_SQLSTATE.test(o.originalCode)) return true;
    if (typeof o.kind === "string" && UNAVAILABLE_KINDS.has(o.kind)) return true;
    if (typeof o.message === "string" && UNAVAILABLE_TEXT.test(o.message)) return true;
    queue.push(o.cause, o.meta?.driverAdapterError);
  }
  return false;
}

/**
 * Runs `fn`, and runs it again (backing off from 100 ms to 1 s) while the database is unavailable,
 * until `deadline` (epoch ms); any other error, or the deadline, ends it with the last error. Only for
 * statements that are safe to repeat, such as a settlement (it acts only on a hold still ACTIVE).
 */
export async function retryWhileDatabaseUnavailable<T>(fn: () => Promise<T>, deadline: number): Promise<T> {
  for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
    try {
      return await fn();
    } catch (error) {
      if (!isDatabaseUnavailable(error) || Date.now() + delay >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
