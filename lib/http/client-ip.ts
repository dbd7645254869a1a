// The client's address, for sign-in limits and the audit log. X-Forwarded-For is whatever the client
// wrote unless a proxy of ours wrote it, so it is believed only as far as TRUST_PROXY_HOPS says: each
// trusted proxy appends the address it saw, and the entry that many places from the end is the one the
// first of them saw. Without trusted proxies the address is the socket's, which the production server
// (scripts/server.js) passes in PEER_HEADER after removing any the client sent.
import { headers } from "next/headers";
import { env } from "@/lib/env.js";

/** Set by scripts/server.js to the socket's remote address; never taken from the client. */
export const PEER_HEADER = "x-meterway-peer";

/** The client's address from a request's headers, or null when nothing trustworthy says it (`next dev`). */
export function clientAddress(get: (name: string) => string | null | undefined, hops = env.TRUST_PROXY_HOPS): string | null {
  const peer = get(PEER_HEADER) || null;
  if (hops === 0) return peer;
  const chain = (get("x-forwarded-for") ?? "").split(",").map((entry) => entry.trim()).filter(Boolean);
  return chain[Math.max(0, chain.length - hops)] ?? peer;
}

/** The client's address of the request being handled (server components and actions), or null. */
export async function clientIp(): Promise<string | null> {
  const h = await headers();
  return clientAddress((name) => h.get(name));
}
