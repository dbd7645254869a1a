// Holds commit without waiting for the disk, settlements wait for it (./async-commit.ts). PostgreSQL
// counts the write-ahead-log writes of each backend: a commit that waits writes (and flushes) the log
// itself before it answers; an asynchronous one leaves that to the WAL writer.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// One pooled connection, so that every statement below runs on the backend whose counts are read.
const poolSize = vi.hoisted(() => {
  const before = process.env.DATABASE_POOL_SIZE;
  process.env.DATABASE_POOL_SIZE = "1";
  return before;
});
// A test process may run other files after this one: they get the pool size they would have had.
afterAll(() => {
  if (poolSize === undefined) delete process.env.DATABASE_POOL_SIZE;
  else process.env.DATABASE_POOL_SIZE = poolSize;
});

import { disconnectDb, sqlText } from "@/lib/db";
import { accountState, createFunded } from "@/scripts/test/fixtures";
import { checkLedger } from "./check-ledger";
import { reserve, settle } from "./holds";

const usage = { modelId: "sandbox/chat", endpoint: "chat.completions", status: "SUCCEEDED" as const, inputTokens: 10, outputTokens: 10, stream: false, latencyMs: 1 };

/** WAL writes the one pooled backend has made so far (its pending statistics flushed first). */
async function walWrites(): Promise<{ pid: number; writes: bigint }> {
  await sqlText("SELECT pg_stat_force_next_flush()", []);
  const [row] = await sqlText<{ pid: number; writes: bigint }>(
    "SELECT pg_backend_pid() AS pid, COALESCE(sum(writes), 0)::bigint AS writes FROM pg_stat_get_backend_io(pg_backend_pid()) WHERE object = 'wal'",
    [],
  );
  return row!;
}

describe("commits", () => {
  beforeAll(async () => {
    const [{ version }] = (await sqlText<{ version: number }>("SELECT current_setting('server_version_num')::int AS version", [])) as [{ version: number }];
    expect(version, "per-backend I/O statistics need PostgreSQL 18 (the embedded one is)").toBeGreaterThanOrEqual(180_000);
    // The test cluster runs with synchronous_commit off for speed; this file's database waits, as production does.
    await sqlText("DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET synchronous_commit = on', current_database()); END $$", []);
    await disconnectDb(); // connections made from now on take the setting
  });

  it("commits a hold without waiting for the disk, and a settlement waiting for it", async () => {
    const { account, keyId } = await createFunded(1_000_000n);
    const [{ setting }] = (await sqlText<{ setting: string }>("SELECT current_setting('synchronous_commit') AS setting", [])) as [{ setting: string }];
    expect(setting).toBe("on");

    const before = await walWrites();
    const holds = [];
    for (let i = 0; i < 5; i++) {
      const hold = await reserve({ accountId: account.id, apiKeyId: keyId, requestId: `req_async_${i}`, maxMicros: 100n, minMicros: 100n });
      if (!hold.ok) throw new Error("expected a hold");
      holds.push(hold);
    }
    const afterHolds = await walWrites();
    expect(afterHolds.pid).toBe(before.pid);
    expect(afterHolds.writes - before.writes).toBe(0n);

    for (const [i, hold] of holds.entries()) {
      await settle({ holdId: hold.holdId, requestId: `req_async_${i}`, costMicros: 10n, usage, description: "test" });
    }
    const afterSettles = await walWrites();
    expect(afterSettles.pid).toBe(before.pid);
    expect(afterSettles.writes - afterHolds.writes).toBeGreaterThanOrEqual(5n);

    // Holds made together go as one batch statement (./hold-batches.ts): it too commits asynchronously.
    const together = await Promise.all(
      [5, 6, 7, 8].map((i) => reserve({ accountId: account.id, apiKeyId: keyId, requestId: `req_async_${i}`, maxMicros: 100n, minMicros: 100n })),
    );
    expect(together.every((hold) => hold.ok)).toBe(true);
    const afterBatch = await walWrites();
    expect(afterBatch.pid).toBe(before.pid);
    expect(afterBatch.writes - afterSettles.writes).toBe(0n);
  });

  it("settles for nothing a request whose hold a database crash lost, and keeps every account consistent", async () => {
    const { account, keyId } = await createFunded(1_000n);
    const hold = await reserve({ accountId: account.id, apiKeyId: keyId, requestId: "req_lost_hold", maxMicros: 400n, minMicros: 400n });
    if (!hold.ok) throw new Error("expected a hold");
    // What recovery leaves when the hold's commit had not reached the disk: the hold and its reservation gone together.
    await sqlText("DELETE FROM holds WHERE id = $1::uuid", [hold.holdId]);
    await sqlText("UPDATE accounts SET reserved_micros = reserved_micros - 400 WHERE id = $1::uuid", [account.id]);
    await sqlText("UPDATE api_keys SET reserved_micros = reserved_micros - 400 WHERE id = $1::uuid", [keyId]);

    const result = await settle({ holdId: hold.holdId, requestId: "req_lost_hold", costMicros: 123n, usage, description: "test" });
    expect(result).toMatchObject({ settled: false, costMicros: 0n, chargedMicros: 0n });
    expect(await accountState(account.id)).toEqual({ balance: 1_000n, reserved: 0n, available: 1_000n });
    expect((await checkLedger()).violations).toEqual([]);
  });
});
