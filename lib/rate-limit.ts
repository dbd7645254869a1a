// Rate limits shared by every app instance: rate-limiter-flexible on PostgreSQL (table `rate_limits`,
// created by the migrations), with an in-memory limiter as insurance while the database is unreachable.
import pg from "pg";
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { env } from "@/lib/env.js";

const g = globalThis as unknown as { __mwRatePool?: pg.Pool; __mwLimiters?: Map<string, RateLimiterPostgres> };

function pool(): pg.Pool {
  if (!g.__mwRatePool) {
    if (!env.DATABASE_URL) throw new Error("DATABASE_URL is not set");
    g.__mwRatePool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 4 });
    g.__mwRatePool.on("error", () => {});
  }
  return g.__mwRatePool;
}

function limiter(name: string, points: number, durationSeconds: number): RateLimiterPostgres {
  g.__mwLimiters ??= new Map();
  const id = `${name}:${points}:${durationSeconds}`;
  let l = g.__mwLimiters.get(id);
  if (!l) {
    l = new RateLimiterPostgres({
      storeClient: pool(),
      storeType: "pool",
      tableName: "rate_limits",
      tableCreated: true,
      keyPrefix: name,
      points,
      duration: durationSeconds,
      insuranceLimiter: new RateLimiterMemory({ points, duration: durationSeconds }),
    });
    g.__mwLimiters.set(id, l);
  }
  return l;
}

export type LimitResult = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Spends one point of `key` in the named limiter. */
export async function consume(name: string, key: string, points: number, durationSeconds: number): Promise<LimitResult> {
  try {
    await limiter(name, points, durationSeconds).consume(key);
    return { allowed: true };
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) {
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
    }
    throw rejection;
  }
}

/** Gives back one point of `key` (e.g. a sign-in attempt that turned out to be right). */
export async function refund(name: string, key: string, points: number, durationSeconds: number): Promise<void> {
  await limiter(name, points, durationSeconds).reward(key, 1).catch(() => {});
}

export async function resetLimit(name: string, points: number, durationSeconds: number, key: string): Promise<void> {
  await limiter(name, points, durationSeconds).delete(key);
}
