// The gateway while its database is briefly away (found by `npm run chaos`, which restarts PostgreSQL
// under load): output that was delivered (a stream, embeddings, images) must still be charged once the
// database is back, and a
// request that cannot reach the database gets a clear 503, not a 500 with a stack trace.
// The outage is real: this file's database stops accepting connections and its sessions are ended.
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { POST as chat } from "@/app/v1/chat/completions/route";
import { POST as embeddings } from "@/app/v1/embeddings/route";
import { POST as images } from "@/app/v1/images/generations/route";
import { startMockUpstream, type MockUpstream } from "@/bench/mock-upstream";
import { invalidateModels } from "@/lib/gateway/models";
import { checkLedger } from "@/lib/billing/check-ledger";
import { db, isDatabaseUnavailable, retryWhileDatabaseUnavailable } from "@/lib/db";
import { accountState, createFunded } from "@/scripts/test/fixtures";

const databaseName = new URL(process.env.DATABASE_URL!).pathname.slice(1);

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject("pgAdminUrl") });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Ends every session on this file's database and refuses new ones, as a restart does. */
async function takeDatabaseDown() {
  await admin(async (c) => {
    await c.query(`ALTER DATABASE "${databaseName}" ALLOW_CONNECTIONS false`);
    await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [databaseName]);
  });
}

async function bringDatabaseBack() {
  await admin((c) => c.query(`ALTER DATABASE "${databaseName}" ALLOW_CONNECTIONS true`));
}

let comingBack: Promise<void> | null = null;
/** Brings the database back after `ms`, while the test goes on. */
function bringDatabaseBackIn(ms: number) {
  comingBack = new Promise((resolve) => setTimeout(resolve, ms)).then(bringDatabaseBack);
}

afterEach(async () => {
  await comingBack; // never let one test's outage end inside the next test
  comingBack = null;
  await bringDatabaseBack();
});

function post(key: string, body: unknown, route = chat, path = "/v1/chat/completions") {
  return route(
    new Request(`http://localhost${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    }),
  );
}

// A provider that takes 800 ms to answer, so the database can go away while it works.
let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream({});
  await db.provider.create({ data: { id: "slow-openai", name: "Slow provider", kind: "OPENAI_COMPATIBLE", baseUrl: `${mock.url}/v1` } });
  await db.model.createMany({
    data: [
      { id: "slow/embed", type: "EMBEDDING", providerId: "slow-openai", upstreamModel: "mock:latency=800", displayName: "Slow embed", inputPerMtokMicros: 1_000_000n },
      { id: "slow/image", type: "IMAGE", providerId: "slow-openai", upstreamModel: "mock:latency=800", displayName: "Slow image", perImageMicros: 30_000n },
    ],
  });
  invalidateModels();
});
afterAll(() => mock.close());

describe("the gateway during a database outage", () => {
  it("charges a stream that finished while the database was down, once it is back", async () => {
    const { key, account } = await createFunded(20_000_000n);
    const res = await post(key, {
      model: "sandbox/chat",
      stream: true,
      stream_options: { include_usage: true },
      // 40 ms between chunks: the stream is still running when the database goes away.
      messages: [{ role: "user", content: "Stream slowly please [sandbox:delay=40]" }],
    });
    expect(res.status).toBe(200);
    const requestId = res.headers.get("x-request-id")!;

    const reader = res.body!.getReader();
    await reader.read(); // the first chunk is out: the hold is taken, output is being delivered
    await takeDatabaseDown();
    bringDatabaseBackIn(1500);
    let text = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toContain("data: [DONE]");
    const usageChunk = text.split("\n\n").map((b) => b.slice(6)).filter((d) => d.startsWith("{") && d.includes('"usage"')).map((d) => JSON.parse(d))[0];
    const record = await db.usageRecord.findUniqueOrThrow({ where: { requestId } });
    expect(record.status).toBe("SUCCEEDED");
    expect(record.costMicros).toBeGreaterThan(0n);
    expect(BigInt(usageChunk.usage.cost_micros)).toBe(record.costMicros);
    expect(await accountState(account.id)).toEqual({ balance: 20_000_000n - record.costMicros, reserved: 0n, available: 20_000_000n - record.costMicros });
    expect((await checkLedger()).ok).toBe(true);
  });

  it("charges embeddings and images whose provider answered while the database was down, once it is back", async () => {
    for (const [model, route, path, body] of [
      ["slow/embed", embeddings, "/v1/embeddings", { input: ["a sentence to embed"] }],
      ["slow/image", images, "/v1/images/generations", { prompt: "a lighthouse", n: 1 }],
    ] as const) {
      const { key, account } = await createFunded(20_000_000n);
      const sent = mock.requests.length;
      const response = post(key, { model, ...body }, route, path);
      // The provider has the request (so the hold is placed) and answers in 800 ms; the database goes
      // away now and is back 1.5 s later, after the answer.
      while (mock.requests.length === sent) await new Promise((resolve) => setTimeout(resolve, 10));
      await takeDatabaseDown();
      bringDatabaseBackIn(1500);
      const res = await response;
      expect(res.status, path).toBe(200);
      const charged = BigInt(res.headers.get("x-request-cost-micros")!);
      expect(charged).toBeGreaterThan(0n);
      await comingBack;
      const record = await db.usageRecord.findUniqueOrThrow({ where: { requestId: res.headers.get("x-request-id")! } });
      expect(record).toMatchObject({ status: "SUCCEEDED", costMicros: charged });
      expect(await accountState(account.id)).toEqual({ balance: 20_000_000n - charged, reserved: 0n, available: 20_000_000n - charged });
    }
    expect((await checkLedger()).ok).toBe(true);
  });

  it("answers 503 service_unavailable with retry-after when the database cannot be reached, charging nothing", async () => {
    const { key, account } = await createFunded(20_000_000n);
    await takeDatabaseDown();
    const res = await post(key, { model: "sandbox/chat", messages: [{ role: "user", content: "Hello" }] });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    const body = (await res.json()) as { error: { code: string; type: string; message: string } };
    expect(body.error).toMatchObject({ code: "service_unavailable", type: "server_error" });
    await bringDatabaseBack();
    expect(await accountState(account.id)).toEqual({ balance: 20_000_000n, reserved: 0n, available: 20_000_000n });
  });

  it("tells a lost database from a refused statement, and retries only the former", async () => {
    await takeDatabaseDown();
    const lost = await db.$queryRaw`SELECT 1`.catch((e: unknown) => e);
    expect(isDatabaseUnavailable(lost)).toBe(true);
    await bringDatabaseBack();
    const refused = await db.$queryRaw`SELECT 1/0`.catch((e: unknown) => e);
    expect(isDatabaseUnavailable(refused)).toBe(false);

    let attempts = 0;
    await expect(retryWhileDatabaseUnavailable(() => (attempts++, db.$queryRaw`SELECT 1/0`), Date.now() + 5000)).rejects.toThrow();
    expect(attempts).toBe(1);

    await takeDatabaseDown();
    bringDatabaseBackIn(700);
    attempts = 0;
    const rows = await retryWhileDatabaseUnavailable(() => (attempts++, db.$queryRaw<{ ok: number }[]>`SELECT 1 AS ok`), Date.now() + 10_000);
    expect(rows[0]!.ok).toBe(1);
    expect(attempts).toBeGreaterThan(1);
  });
});
