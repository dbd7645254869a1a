// Many holds, or many settlements, in ONE statement and one commit (see ./batcher.ts for when). The
// batch statements cover the common case — an account that pays from its balance alone — and hand
// every other request back (`undefined`) to the single statements in ./holds.ts, which know about
// subscription allowances, output caps and the reasons for a refusal. A request handed back is
// decided exactly as if it had come alone, after the batch has committed.
//
// Same guarantees as the single statements:
// - No overdraft. Each key and account row is locked first (FOR UPDATE returns its latest version)
//   and admission is decided on those locked values, by running sums in the batch's order: request n
//   is admitted only if the account's available balance covers it and every request before it of the
//   same account, and likewise for its key's spend limit and rate limit. The UPDATEs re-check their
//   conditions; should one still fail, meterway_abort() rolls the statement back and every request
//   goes to the single statements.
// - Charged once. A settlement closes the hold, writes the usage record and the ledger entry in the
//   statement; `balance_after_micros` is each entry's running balance in the batch's order.
// - No deadlock. Rows are locked in one order — holds, then keys, then accounts, each sorted by id —
//   which is also the single statements' order (hold, key, account).
//
// The statements themselves are the functions meterway_reserve_batch and meterway_settle_batch
// (prisma/migrations/20261127190000_batch_functions; meterway_reserve_batch as now in
// 20261128120000_hold_model): each takes its row locks in small statements first and then runs the
// batch on a fresh snapshot, so that processes batching for the same accounts wait for each other
// cheaply (see the migration). To change one, CREATE OR REPLACE it in a new migration — or, to change
// its arguments, DROP it and CREATE the new one there (other arguments make another function).
import { sqlText } from "@/lib/db";
import { now as clockNow } from "@/lib/clock";
import { env } from "@/lib/env.js";
import { ASYNC_COMMIT } from "./async-commit";
import type { ReserveInput, ReserveResult, SettleInput, SettleResult } from "./holds";

/**
 * Holds the full `maxMicros` of each request whose account pays from its balance alone and can cover
 * it; `undefined` for every other request (the single statement decides it).
 */
export async function reserveBatch(inputs: ReserveInput[]): Promise<(ReserveResult | undefined)[]> {
  const now = clockNow();
  const rows = await sqlText<{ request_id: string; hold_id: string }>(
    `SELECT r.* FROM meterway_reserve_batch($1, $2, $3, $4, $5, $6, $7, $8) r, ${ASYNC_COMMIT}`,
    [
      inputs.map((i) => i.accountId),
      inputs.map((i) => i.apiKeyId),
      inputs.map((i) => i.requestId),
      inputs.map((i) => i.maxMicros.toString()),
      inputs.map((i) => i.ttlSeconds ?? env.HOLD_TTL_SECONDS),
      inputs.map((i) => (i.at ?? now).toISOString()),
      inputs.map((i) => i.model?.id ?? null),
      inputs.map((i) => i.endpoint ?? null),
    ],
    "meterway_reserve_batch",
  );
  const held = new Map(rows.map((row) => [row.request_id, row.hold_id]));
  return inputs.map((input) => {
    const holdId = held.get(input.requestId);
    if (!holdId) return undefined;
    return { ok: true, holdId, amountMicros: input.maxMicros, balanceMicros: input.maxMicros, allowanceId: null };
  });
}

const SETTLE_CALL = `SELECT * FROM meterway_settle_batch(${Array.from({ length: 21 }, (_, i) => `$${i + 1}`).join(", ")})`;

interface SettleBatchRow {
  hold_id: string;
  account_id: string;
  charged: bigint;
  balance_after: bigint;
  reserved_after: bigint;
  auto_topup: boolean;
  low_balance: boolean;
}

/**
 * Settles each request whose hold is active and paid from the balance alone; `undefined` for every
 * other one (a hold an allowance shares, or one already closed: the single statement decides it).
 * Each hold may appear once; `afterCrossing` starts auto top-up / the low-balance alert, once per account.
 */
export async function settleBatch(
  inputs: SettleInput[],
  afterCrossing: (accountId: string, autoTopUp: boolean, lowBalance: boolean) => Promise<void>,
): Promise<(SettleResult | undefined)[]> {
  const now = clockNow();
  const column = <T>(pick: (input: SettleInput) => T) => inputs.map(pick);
  const rows = await sqlText<SettleBatchRow>(
    SETTLE_CALL,
    [
      column((i) => i.holdId),
      column((i) => i.requestId),
      column((i) => i.costMicros.toString()),
      column((i) => (i.at ?? now).toISOString()),
      column((i) => i.description),
      column((i) => i.usage.modelId),
      column((i) => i.usage.endpoint),
      column((i) => i.usage.status),
      column((i) => i.usage.inputTokens),
      column((i) => i.usage.outputTokens),
      column((i) => i.usage.units ?? 0),
      column((i) => i.usage.inputPerMtokMicros?.toString() ?? null),
      column((i) => i.usage.outputPerMtokMicros?.toString() ?? null),
      column((i) => i.usage.unitPriceMicros?.toString() ?? null),
      column((i) => i.usage.stream),
      column((i) => i.usage.latencyMs),
      column((i) => i.usage.note ?? null),
      column((i) => i.usage.providerId ?? null),
      column((i) => i.usage.upstreamModel ?? null),
      column((i) => i.usage.cachedTokens ?? 0),
      column((i) => i.usage.ttftMs ?? null),
    ],
    "meterway_settle_batch",
  );
  const settled = new Map(rows.map((row) => [row.hold_id, row]));
  return inputs.map((input) => {
    const row = settled.get(input.holdId);
    if (!row) return undefined;
    return {
      settled: true,
      costMicros: row.charged,
      chargedMicros: row.charged,
      paidBy: "BALANCE",
      balanceMicros: row.balance_after,
      availableMicros: row.balance_after - row.reserved_after,
      followUp: row.auto_topup || row.low_balance ? afterCrossing(row.account_id, row.auto_topup, row.low_balance) : undefined,
    };
  });
}
