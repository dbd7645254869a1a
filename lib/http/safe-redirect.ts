/** A same-site path to go to after signing in; anything else (other hosts, "//evil") becomes the fallback. */
export function safeRedirectPath(value: unknown, fallback = "/billing"): string {
  if (typeof value !== "string" || value === "") return fallback;
  let path = value;
  if (/^https?:\/\//i.test(value)) {
    // next-auth hands us absolute callback URLs; keep only their path.
    try {
      const url = new URL(value);
      path = `${url.pathname}${url.search}${url.hash}`;
    } catch {
      return fallback;
    }
  }
  if (!path.startsWith("/") || path.startsWith("//") || path.startsWith("/\\")) return fallback;
  if (path.startsWith("/sign-in") || path.startsWith("/sign-up")) return fallback;
  return path;
}
