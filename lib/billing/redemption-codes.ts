// Redemption code format: "MW-XXXX-XXXX-XXXX-XXXX" from an alphabet without look-alikes (80 random bits).
// Only the SHA-256 of the normalized code is stored, plus the visible prefix "MW-XXXX".
import { createHash, randomInt } from "node:crypto";

const ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"; // no I, L, O, U, 0, 1

export function generateCode(): { code: string; prefix: string; hash: string } {
  const groups = Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => ALPHABET[randomInt(ALPHABET.length)]).join(""));
  const code = `MW-${groups.join("-")}`;
  return { code, prefix: code.slice(0, 7), hash: hashCode(code) };
}

/** Upper-cases and drops spaces and dashes, so "mw-abcd efgh…" finds "MW-ABCD-EFGH…". */
export function normalizeCode(text: string): string {
  return text.toUpperCase().replace(/[\s-]/g, "");
}

export function hashCode(text: string): string {
  return createHash("sha256").update(normalizeCode(text)).digest("hex");
}

export function looksLikeCode(text: string): boolean {
  return /^MW[A-Z0-9]{16}$/.test(normalizeCode(text));
}
