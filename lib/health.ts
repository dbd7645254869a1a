import { db } from "@/lib/db";

/** Liveness and database reachability, for load balancers and the test harness. */
export async function health(): Promise<{ ok: boolean; database: boolean }> {
  try {
    await db.$queryRaw`SELECT 1`;
    return { ok: true, database: true };
  } catch {
    return { ok: false, database: false };
  }
}
