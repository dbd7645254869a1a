import { headers } from "next/headers";

/** The client's address as the proxy in front reports it (for the audit log), or null. */
export async function clientIp(): Promise<string | null> {
  const h = await headers();
  const forwarded = h.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || h.get("x-real-ip") || null;
}
