// What counts against a key's spend limit right now, computed exactly as the SQL does
// (meterway_period_start / meterway_key_spent in migration 20261127105000): UTC calendar periods, and
// a period that started before the current one counts as 0.
export type LimitPeriod = "NONE" | "DAILY" | "WEEKLY" | "MONTHLY";

/** The start of the period containing `at` (UTC), or null for NONE. Weeks start on Monday, like date_trunc('week'). */
export function periodStart(period: LimitPeriod, at: Date): Date | null {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth();
  const d = at.getUTCDate();
  switch (period) {
    case "DAILY":
      return new Date(Date.UTC(y, m, d));
    case "WEEKLY": {
      const sinceMonday = (at.getUTCDay() + 6) % 7;
      return new Date(Date.UTC(y, m, d - sinceMonday));
    }
    case "MONTHLY":
      return new Date(Date.UTC(y, m, 1));
    default:
      return null;
  }
}

/** When the current period ends (the next one starts), or null for NONE. */
export function periodEnd(period: LimitPeriod, at: Date): Date | null {
  const start = periodStart(period, at);
  if (!start) return null;
  const y = start.getUTCFullYear();
  const m = start.getUTCMonth();
  const d = start.getUTCDate();
  if (period === "DAILY") return new Date(Date.UTC(y, m, d + 1));
  if (period === "WEEKLY") return new Date(Date.UTC(y, m, d + 7));
  return new Date(Date.UTC(y, m + 1, 1));
}

export interface KeySpendState {
  spendLimitPeriod: LimitPeriod;
  periodStartedAt: Date | null;
  periodSpentMicros: bigint;
  spentMicros: bigint;
}

/** The spend that counts against the key's limit at `at`: lifetime for NONE, else the current period's. */
export function spentThisPeriod(key: KeySpendState, at: Date): bigint {
  if (key.spendLimitPeriod === "NONE") return key.spentMicros;
  const start = periodStart(key.spendLimitPeriod, at);
  return key.periodStartedAt && start && key.periodStartedAt.getTime() === start.getTime() ? key.periodSpentMicros : 0n;
}
