// The daily usage rollup and the dashboard that reads it: whatever has been rolled up, and whenever, the
// summary is exactly what the records alone say — including a record whose transaction was still open when
// its day was being rolled up, and with two rollups running at once.
import pg from "pg";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createKey } from "@/lib/keys/create-key";
import { createFunded } from "@/scripts/test/fixtures";
import { rollUpUsage } from "./roll-up-usage";
import { usageSummary, type ModelTypeName, type UsageAmounts, type UsageSummary, type UsageSummaryInput } from "./usage-summary";

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** The summary computed in JS from the account's records, one by one: what the dashboard must show. */
async function fromRecords(userId: string, { from, to, bucket }: UsageSummaryInput): Promise<UsageSummary> {
  const account = await db.account.findUniqueOrThrow({ where: { userId } });
  const records = await db.usageRecord.findMany({ where: { accountId: account.id, createdAt: { gte: from, lt: to } } });
  const models = new Map((await db.model.findMany()).map((m) => [m.id, m]));
  const keys = new Map((await db.apiKey.findMany({ where: { userId } })).map((k) => [k.id, k]));
  const zero = (): UsageAmounts => ({ requests: 0, inputTokens: 0, outputTokens: 0, costMicros: 0n, coveredMicros: 0n });
  const add = (a: UsageAmounts, r: (typeof records)[number]) => {
    a.requests += 1;
    a.inputTokens += r.inputTokens;
    a.outputTokens += r.outputTokens;
    a.costMicros += r.costMicros;
    a.coveredMicros += r.coveredMicros;
  };
  const step = bucket === "hour" ? HOUR : DAY;
  const series: UsageSummary["series"] = [];
  for (let t = Math.floor(from.getTime() / step) * step; t < to.getTime(); t += step) series.push({ start: new Date(t), ...zero(), byType: {} });
  const totals = zero();
  const byModel = new Map<string, UsageAmounts>();
  const byKey = new Map<string | null, UsageAmounts>();
  const byType = new Map<ModelTypeName | "OTHER", UsageAmounts>();
  for (const r of records) {
    const type = (models.get(r.modelId)?.type ?? null) as ModelTypeName | null;
    add(totals, r);
    const point = series.find((p) => p.start.getTime() === Math.floor(r.createdAt.getTime() / step) * step)!;
    add(point, r);
    point.byType[type ?? "CHAT"] = (point.byType[type ?? "CHAT"] ?? 0n) + r.costMicros;
    for (const [map, id] of [[byModel, r.modelId], [byKey, r.apiKeyId], [byType, type ?? "OTHER"]] as const) {
      const a = (map as Map<typeof id, UsageAmounts>).get(id) ?? zero();
      add(a, r);
      (map as Map<typeof id, UsageAmounts>).set(id, a);
    }
  }
  const order = (a: UsageAmounts, b: UsageAmounts) => (a.costMicros === b.costMicros ? b.requests - a.requests : a.costMicros > b.costMicros ? -1 : 1);
  return {
    totals,
    series,
    byModel: [...byModel].map(([modelId, a]) => ({ modelId, displayName: models.get(modelId)?.displayName ?? null, type: (models.get(modelId)?.type ?? null) as ModelTypeName | null, ...a })).sort(order),
    byKey: [...byKey].map(([id, a]) => ({ keyId: id, name: id ? keys.get(id)!.name : null, prefix: id ? keys.get(id)!.prefix : null, ...a })).sort(order),
    byType: [...byType].map(([type, a]) => ({ type, ...a })).sort(order),
  };
}

async function seed() {
  const a = await createFunded(0n);
  const b = await createFunded(0n);
  const second = await createKey({ ctx: { userId: a.user.id }, input: { name: "second" } });
  // Each model and key spends a distinct amount, so that every breakdown has one order.
  const rows: Array<[string, string, string | null, string, number, string]> = [];
  const today = Math.floor(Date.now() / DAY) * DAY;
  const models = ["sandbox/chat", "sandbox/embed", "sandbox/image", "retired/model"];
  const statuses = ["SUCCEEDED", "SUCCEEDED", "PARTIAL", "FAILED"];
  for (let day = 7; day >= 1; day--) {
    for (let i = 0; i < 24; i++) {
      // Midnight exactly, the last millisecond of the day, and times in between.
      const offset = i === 0 ? 0 : i === 1 ? DAY - 1 : i * HOUR + i * 61_000;
      const at = new Date(today - day * DAY + offset).toISOString();
      const model = models[(i + day) % 4]!;
      const key = i % 5 === 4 ? null : i % 2 ? second.record.id : a.keyId;
      rows.push([a.account.id, model, key, statuses[i % 4]!, (i + 1) * 1000 + day * 7 + models.indexOf(model) * 13, at]);
      if (i % 3 === 0) rows.push([b.account.id, model, b.keyId, "SUCCEEDED", 5000 + i, at]);
    }
  }
  await db.$executeRaw`
    INSERT INTO usage_records (request_id, account_id, api_key_id, model_id, endpoint, status, input_tokens, output_tokens,
                               cost_micros, covered_micros, paid_by, latency_ms, created_at)
    SELECT 'req_rollup_' || n, r.account_id, r.api_key_id, r.model_id, '/v1/chat/completions', r.status::"UsageStatus",
           CASE WHEN r.status = 'FAILED' THEN 0 ELSE 10 + n END, CASE WHEN r.status = 'FAILED' THEN 0 ELSE 3 * n END,
           CASE WHEN r.status = 'FAILED' THEN 0 ELSE r.cost END,
           CASE WHEN r.status = 'FAILED' OR n % 3 <> 0 THEN 0 ELSE r.cost / 2 END,
           CASE WHEN n % 3 = 0 AND r.status <> 'FAILED' THEN 'MIXED' ELSE 'BALANCE' END::"PaidBy", 100, r.created_at
      FROM unnest(${rows.map((r) => r[0])}::uuid[], ${rows.map((r) => r[1])}::text[], ${rows.map((r) => r[2])}::uuid[],
                  ${rows.map((r) => r[3])}::text[], ${rows.map((r) => r[4])}::bigint[], ${rows.map((r) => r[5])}::timestamptz[])
           WITH ORDINALITY AS r(account_id, model_id, api_key_id, status, cost, created_at, n)`;
  // Today's records, dated by the database as the gateway's are.
  await db.$executeRaw`
    INSERT INTO usage_records (request_id, account_id, api_key_id, model_id, endpoint, status, input_tokens, output_tokens, cost_micros, latency_ms)
    SELECT 'req_rollup_today_' || n, ${a.account.id}::uuid, ${a.keyId}::uuid, 'sandbox/chat', '/v1/chat/completions', 'SUCCEEDED', n, n, 777 * n, 50
      FROM generate_series(1, 3) n`;
  return { a, b, today };
}

/** The periods the dashboard asks for: presets (not on day boundaries), whole days, hourly, one part of a day, the future. */
function periods(today: number): UsageSummaryInput[] {
  const now = new Date();
  return [
    { from: new Date(now.getTime() - 30 * DAY), to: now, bucket: "day" },
    { from: new Date(now.getTime() - 7 * DAY), to: now, bucket: "day" },
    { from: new Date(now.getTime() - 90 * DAY), to: now, bucket: "day" },
    { from: new Date(now.getTime() - DAY), to: now, bucket: "hour" },
    { from: new Date(today - 5 * DAY), to: new Date(today - 2 * DAY), bucket: "day" },
    { from: new Date(today - 7 * DAY), to: new Date(today + 2 * DAY), bucket: "day" },
    { from: new Date(today - 4 * DAY), to: new Date(today - 2 * DAY), bucket: "hour" },
    { from: new Date(today - 3 * DAY + 10 * HOUR), to: new Date(today - 3 * DAY + 18 * HOUR), bucket: "day" },
    { from: new Date(today - 6 * DAY + 5 * HOUR), to: new Date(today - 1 * DAY + 7 * HOUR), bucket: "day" },
  ];
}

async function expectExact(users: string[], today: number) {
  for (const userId of users) {
    for (const input of periods(today)) {
      const [shown, expected] = await Promise.all([usageSummary({ ctx: { userId }, input }), fromRecords(userId, input)]);
      expect(shown, `${input.bucket} ${input.from.toISOString()} → ${input.to.toISOString()}`).toEqual(expected);
    }
  }
}

const rolledUntil = async () => (await db.$queryRaw<Array<{ d: string | null }>>`SELECT rolled_until::text AS d FROM usage_rollup_state`)[0]!.d;
const rollup = () => db.$queryRaw<unknown[]>`SELECT account_id, day::text, model_id, api_key_id, requests, input_tokens, output_tokens, cost_micros, covered_micros FROM usage_daily ORDER BY 1, 2, 3, 4`;
const dayText = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe("the daily usage rollup", () => {
  it("starts from the first day with a record, and marks an empty history as rolled up", async () => {
    expect(await rolledUntil()).toBeNull();
    const result = await rollUpUsage();
    expect(result.rows).toBe(0);
    // Nothing dated before the safe day (today, or yesterday just after midnight): all of it counts as rolled up.
    expect(result.rolledUntil).toBe(await rolledUntil());
    expect([dayText(Date.now()), dayText(Date.now() - DAY)]).toContain(result.rolledUntil);
  });

  it("gives exactly the records' summary before, while and after days are rolled up, late records and concurrent runs included", async () => {
    // History written with explicit past dates (as only a test or an import does) goes in before any rollup.
    await db.$executeRaw`UPDATE usage_rollup_state SET rolled_until = NULL`;
    const { a, b, today } = await seed();
    const users = [a.user.id, b.user.id];
    await expectExact(users, today);

    // A settlement whose transaction began today and is still open while the rollup runs "tomorrow".
    const late = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await late.connect();
    await late.query("BEGIN");
    await late.query(
      `INSERT INTO usage_records (request_id, account_id, api_key_id, model_id, endpoint, status, input_tokens, output_tokens, cost_micros, latency_ms)
       VALUES ('req_rollup_late', $1, $2, 'sandbox/embed', '/v1/embeddings', 'SUCCEEDED', 5, 0, 4242, 10)`,
      [a.account.id, a.keyId],
    );
    const asOf = new Date(today + DAY + 12 * HOUR);
    // Two instances at once: neither fails, and no day is counted twice (the unique index would refuse it).
    const runs = await Promise.all([rollUpUsage({ asOf }), rollUpUsage({ asOf })]);
    expect(runs.reduce((days, r) => days + r.days, 0)).toBe(7);
    // Today is held back by the open transaction, though `asOf` says it is over.
    expect(await rolledUntil()).toBe(dayText(today));
    await expectExact(users, today);

    await late.query("COMMIT");
    await late.end();
    await expectExact(users, today);

    expect(await rollUpUsage({ asOf })).toMatchObject({ days: 1, rolledUntil: dayText(today + DAY) });
    await expectExact(users, today);
    const rows = await rollup();
    expect(rows.length).toBeGreaterThan(20);

    // Rolling up again changes nothing.
    expect(await rollUpUsage({ asOf })).toMatchObject({ days: 0, rows: 0, skipped: "nothing-due" });
    expect(await rollUpUsage()).toMatchObject({ days: 0, rows: 0 });
    expect(await rollup()).toEqual(rows);
    await expectExact(users, today);

    // And the dashboard does read the rollup for the days it holds: a change there shows.
    const changed = await db.$executeRaw`UPDATE usage_daily SET cost_micros = cost_micros + 1 WHERE account_id = ${b.account.id}::uuid AND day = ${dayText(today - 3 * DAY)}::date AND model_id = 'sandbox/chat'`;
    expect(changed).toBe(1);
    const input = { from: new Date(today - 5 * DAY), to: new Date(today - 2 * DAY), bucket: "day" } as const;
    expect((await usageSummary({ ctx: { userId: b.user.id }, input })).totals.costMicros).toBe((await fromRecords(b.user.id, input)).totals.costMicros + 1n);
  });

});
