// Starting the provider call while the hold is being placed, so that the hold's database round trip
// (a commit: 1–3 ms on ordinary disks) overlaps the provider's own latency instead of adding to it.
//
// Nothing reaches the client before the hold exists: the early call's answer is only read once
// `reserve` succeeded, and it is aborted when the hold is refused. What the early start risks is an
// upstream call that is aborted unanswered, so it is made only when this process saw, moments ago,
// that the account can pay for the request many times over, and never for a key that was refused
// recently (a spend limit, a rate limit, an exhausted allowance) or that has a spend limit of its own.
import type { AuthenticatedKey } from "@/lib/keys/verify-key";

/** How long a balance seen by this process is trusted for the decision. */
const FRESH_MS = 10_000;
/** The balance must cover this many requests of this size: other requests and instances spend it too. */
const MARGIN = 20n;
/** After a refusal, the key's requests wait for their hold again for this long. */
const REFUSED_MS = 60_000;
const MAX_ENTRIES = 50_000;

interface State {
  seen: Map<string, { availableMicros: bigint; at: number }>;
  refused: Map<string, number>;
}
const globalState = globalThis as unknown as { __mwSpeculation?: State };
const state = (globalState.__mwSpeculation ??= { seen: new Map(), refused: new Map() });

function remember<V>(map: Map<string, V>, id: string, value: V) {
  if (map.size >= MAX_ENTRIES && !map.has(id)) map.clear();
  map.set(id, value);
}

/** What a hold or a settlement said the account has left to hold. */
export function noteAvailable(accountId: string, availableMicros: bigint, now = Date.now()): void {
  remember(state.seen, accountId, { availableMicros, at: now });
}

/** A hold was refused for this key: its next requests are not started early. */
export function noteRefused(key: Pick<AuthenticatedKey, "id" | "accountId">, now = Date.now()): void {
  remember(state.refused, key.id, now);
  state.seen.delete(key.accountId);
}

/** Whether this request's provider call may start before its hold is placed. */
export function maySpeculate(key: Pick<AuthenticatedKey, "id" | "accountId" | "spendLimitMicros">, maxMicros: bigint, now = Date.now()): boolean {
  if (key.spendLimitMicros !== null) return false;
  const refusedAt = state.refused.get(key.id);
  if (refusedAt !== undefined && now - refusedAt < REFUSED_MS) return false;
  const seen = state.seen.get(key.accountId);
  return seen !== undefined && now - seen.at < FRESH_MS && seen.availableMicros >= maxMicros * MARGIN;
}

/** Forgets everything (tests). */
export function resetSpeculation(): void {
  state.seen.clear();
  state.refused.clear();
}
