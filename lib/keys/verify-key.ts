// Authenticates a gateway request's key: SHA-256 of the key, looked up through a short-lived cache.
// A revoked, expired or disabled key is refused on every instance within a second (LISTEN/NOTIFY
// drops the cache entry at once; without the listener, entries live one second).
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
}

interface CacheEntry {
  key: (AuthenticatedKey & { revoked: boolean; disabled: boolean; keyDisabled: boolean }) | null;
  loadedAt: number;
}

const TTL_LISTENING_MS = 60_000;
const TTL_FALLBACK_MS = 1_000;
const MAX_ENTRIES = 50_000;

const globalCache = globalThis as unknown as { __mwKeyCache?: Map<string, CacheEntry> };
const cache = (globalCache.__mwKeyCache ??= new Map());
let subscribed = false;

export function forgetKey(hash: string): void {
  cache.delete(hash);
}

async function load(hash: string): Promise<CacheEntry["key"]> {
  const row = await db.apiKey.findUnique({
    where: { hash },
    select: {
      id: true,
      userId: true,
      name: true,
      spendLimitMicros: true,
      allowedModels: true,
      expiresAt: true,
      revokedAt: true,
      disabledAt: true,
      user: { select: { disabledAt: true, account: { select: { id: true } } } },
    },
  });
  if (!row || !row.user.account) return null;
  return {
    id: row.id,
    userId: row.userId,
    accountId: row.user.account.id,
    name: row.name,
    spendLimitMicros: row.spendLimitMicros,
    allowedModels: row.allowedModels,
    expiresAt: row.expiresAt,
    revoked: row.revokedAt !== null,
    disabled: row.user.disabledAt !== null,
    keyDisabled: row.disabledAt !== null,
  };
}

/** Reads the key from `Authorization: Bearer …` or `x-api-key`, and returns who it belongs to. */
export async function verifyKey(headers: Headers, now = Date.now()): Promise<AuthenticatedKey> {
  if (!subscribed) {
    subscribed = true;
    subscribe("api_key_changed", (payload) => (payload === "*" ? cache.clear() : cache.delete(payload)));
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
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(hash, entry);
  }
  const key = entry.key;
  if (!key) throw new AppError("invalid_api_key", "Incorrect API key provided.");
  if (key.revoked) throw new AppError("invalid_api_key", "This API key has been revoked.");
  if (key.keyDisabled) throw new AppError("invalid_api_key", "This API key is disabled.");
  if (key.disabled) throw new AppError("invalid_api_key", "This account is disabled. Contact support.");
  if (key.expiresAt && key.expiresAt.getTime() <= now) throw new AppError("invalid_api_key", "This API key has expired.");
  return key;
}
