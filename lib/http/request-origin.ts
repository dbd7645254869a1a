import { headers } from "next/headers";

/** The origin the browser used to reach us ("https://example.com"), from the request's headers. */
export async function requestOrigin(): Promise<string> {
  const h = await headers();
  const host = first(h.get("x-forwarded-host")) ?? first(h.get("host")) ?? "localhost";
  const proto = first(h.get("x-forwarded-proto")) ?? "http";
  return `${proto === "https" ? "https" : "http"}://${host}`;
}

function first(value: string | null): string | undefined {
  const head = value?.split(",")[0]?.trim();
  return head || undefined;
}
