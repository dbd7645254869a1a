// What an API key looks like, and how it is stored: only its SHA-256 hash and a short visible prefix.
import { createHash, randomBytes } from "node:crypto";

export type KeyEnvironmentLabel = "DEVELOPMENT" | "PRODUCTION";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function randomBase62(length: number): string {
  const bytes = randomBytes(length * 2);
  let out = "";
  for (let i = 0; out.length < length && i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 248) out += ALPHABET[b % 62]; // 248 = 62 * 4: no modulo bias
  }
  return out.length === length ? out : randomBase62(length);
}

/** `sk-live-…` for production keys, `sk-test-…` for development keys; 40 random base62 characters. */
export function generateKey(environment: KeyEnvironmentLabel): { key: string; prefix: string; hash: string } {
  const key = `sk-${environment === "PRODUCTION" ? "live" : "test"}-${randomBase62(40)}`;
  return { key, prefix: key.slice(0, 14), hash: hashKey(key) };
}

export function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** Cheap shape check before any lookup. */
export function looksLikeKey(key: string): boolean {
  return /^sk-(live|test)-[0-9A-Za-z]{40}$/.test(key);
}
