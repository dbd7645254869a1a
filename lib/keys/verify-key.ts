// Authenticates a gateway request's key: SHA-256 of the key, looked up through a short-lived cache.
// A revoked, expired or disabled key is refused on every instance within a second (LISTEN/NOTIFY
// drops the cache entry at once; without the listener, entries live one second).
//
// A rotated key's secret keeps working until its grace period ends, as its successor: the request is
// billed to, limited by and listed under the key that replaced it, so both secrets share one spend
// limit and one rate limit. Only the rotated key's own "last used" is kept apart (touchRotated).
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { listening, subscribe } from "@/lib/notifications";
import { hashKey, looksLikeKey } from "./key-format";

export interface AuthenticatedKey {
  id: string;
  userId: string;
  accountId: string;
  name: string;
  spendLimitMicros: bigint | null;
  allowedModels: string[];
  expiresAt: Date | null;
  /** The rotated key whose secret was sent, when it is still in its grace period (`id` is then its successor's). */
  rotatedKeyId?: string;
}

interface CacheEntry {
  key: (AuthenticatedKey & { revoked: boolean; disabled: boolean; keyDisabled: boolean; successorHash?: string }) | null;
  loadedAt: number;
}

const TTL_LISTENING_MS = 60_000;
const TTL_FALLBACK_MS = 1_000;
const MAX_ENTRIES = 50_000;

const globalCache = globalThis as unknown as { __mwKeyCache?: Map<string, CacheEntry>; __mwKeyStandIns?: Map<string, Set<string>> };
const cache = (globalCache.__mwKeyCache ??= new Map());
/** A successor's hash → the hashes of the rotated keys cached as standing in for it. */
const standIns = (globalCache.__mwKeyStandIns ??= new Map());
let subscribed = false;

/** Drops a key from this process's cache, and every rotated key that stands in for it. */
export function forgetKey(hash: string): void {
  cache.delete(hash);
  for (const other of standIns.get(hash) ?? []) cache.delete(other);
  standIns.delete(hash);
}

/**
 * Drops every key of a user from this process's cache (the users_changed trigger's NOTIFY does it
 * everywhere, a moment later): after an operator disables an account, this instance refuses its keys
 * from the next request on.
 */
export function forgetUserKeys(userId: string): void {
  for (const [hash, entry] of cache) if (entry.key?.userId === userId) forgetKey(hash);
}

function forgetAll(): void {
  cache.clear();
  standIns.clear();
}

const keyFields = { id: true, hash: true, name: true, spendLimitMicros: true, allowedModels: true, expiresAt: true, revokedAt: true, disabledAt: true } as const;

async function load(hash: string): Promise<CacheEntry["key"]> {
  const row = await db.apiKey.findUnique({
    where: { hash },
    select: { ...keyFields, userId: true, successor: { select: keyFields }, user: { select: { disabledAt: true, account: { select: { id: true } } } } },
  });
  if (!row || !row.user.account) return null;
  // A rotated key acts as its successor (rotateKey keeps every old key pointing at the latest one),
  // for as long as both are live; its own expiry is the end of its grace period.
  const acting = row.successor ?? row;
  const expiries = [row.expiresAt, acting.expiresAt].filter((d): d is Date => d !== null);
  return {
    id: acting.id,
    userId: row.userId,
    accountId: row.user.account.id,
    name: acting.name,
    spendLimitMicros: acting.spendLimitMicros,
    allowedModels: acting.allowedModels,
    expiresAt: expiries.length ? new Date(Math.min(...expiries.map((d) => d.getTime()))) : null,
    revoked: row.revokedAt !== null || acting.revokedAt !== null,
    disabled: row.user.disabledAt !== null,
    keyDisabled: row.disabledAt !== null || acting.disabledAt !== null,
    ...(row.successor ? { rotatedKeyId: row.id, successorHash: row.successor.hash } : {}),
  };
}

/**
 * A rotated key's calls are recorded under its successor, so its own "last used" is set here (at most
 * once a minute per key and process, off the request's path): the keys page shows whether the old
 * secret is still in use before its grace period ends.
 */
const touched = new Map<string, number>();
function touchRotated(id: string, now: number): void {
  if ((touched.get(id) ?? 0) > now - 60_000) return;
  touched.set(id, now);
  db.apiKey.update({ where: { id }, data: { lastUsedAt: new Date(now) }, select: { id: true } }).catch((error: Error) => {
    touched.delete(id);
    console.error(`[keys] could not record the use of rotated key ${id}:`, error.message);
  });
}

/** Reads the key from `Authorization: Bearer …` or `x-api-key`, and returns who it belongs to. */
export async function verifyKey(headers: Headers, now = Date.now()): Promise<AuthenticatedKey> {
  if (!subscribed) {
    subscribed = true;
    subscribe("api_key_changed", (payload) => (payload === "*" ? forgetAll() : forgetKey(payload)));
  }
  const authorization = headers.get("authorization");
  const raw = authorization?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim() ?? headers.get("x-api-key")?.trim();
  if (!raw) {
    throw new AppError("invalid_api_key", "Missing API key. Send it as `Authorization: Bearer <key>`.");
  }
  if (!looksLikeKey(raw)) throw new AppError("invalid_api_key", "Incorrect API key provided.");

  const hash = hashKey(raw);
  let entry = cache.get(hash);
  const ttl = listening() ? TTL_LISTENING_MS : TTL_FALLBACK_MS;
  if (!entry || now - entry.loadedAt > ttl) {
    entry = { key: await load(hash), loadedAt: now };
    if (cache.size >= MAX_ENTRIES) forgetAll();
    cache.set(hash, entry);
    const successor = entry.key?.successorHash;
    if (successor) standIns.set(successor, (standIns.get(successor) ?? new Set()).add(hash));
  }
  const key = entry.key;
  if (!key) throw new AppError("invalid_api_key", "Incorrect API key provided.");
  if (key.revoked) throw new AppError("invalid_api_key", "This API key has been revoked.");
  if (key.keyDisabled) throw new AppError("invalid_api_key", "This API key is disabled.");
  if (key.disabled) throw new AppError("invalid_api_key", "This account is disabled. Contact support.");
  if (key.expiresAt && key.expiresAt.getTime() <= now) throw new AppError("invalid_api_key", "This API key has expired.");
  if (key.rotatedKeyId) touchRotated(key.rotatedKeyId, now);
  return key;
}
