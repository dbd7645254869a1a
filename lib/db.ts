// The one Prisma client (pg driver adapter). Hot-path money statements use $queryRaw with single
// CTE statements (see lib/billing); everything else uses the typed client.
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/generated/prisma/client";
import { env } from "@/lib/env.js";

export { Prisma } from "@/generated/prisma/client";
export type { PrismaClient } from "@/generated/prisma/client";

function databaseUrl(): string {
  if (!env.DATABASE_URL) {
    throw new Error("DATABASE_URL is not set. Start the app with `npm run dev`, which provides an embedded PostgreSQL.");
  }
  return env.DATABASE_URL;
}

function createClient() {
  const pool = new pg.Pool({ connectionString: databaseUrl(), max: 20, idleTimeoutMillis: 30_000 });
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

export type Db = typeof db;
/** A Prisma interactive-transaction client. */
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export async function disconnectDb(): Promise<void> {
  await globalForDb.__prisma?.$disconnect();
  await globalForDb.__pool?.end().catch(() => {});
  globalForDb.__prisma = undefined;
  globalForDb.__pool = undefined;
}
