/**
 * Where sign-in may send someone afterwards: a path on this site (with its query), or `fallback`. Only a
 * relative path is accepted — never another site, whatever its spelling: `https://evil.example`,
 * `//evil.example`, `/\evil.example` (browsers read `\` as `/`), or `/<tab>/evil.example` (browsers drop tabs
 * and newlines inside URLs). Sign-in and sign-up themselves are refused too, so sign-in cannot loop.
 */
export function safeRedirectPath(value: unknown, fallback = "/billing"): string {
  if (typeof value !== "string" || value.length > 2000) return fallback;
  // One slash, then anything but another slash or a backslash; no backslash, control character or space anywhere.
  if (!/^\/(?![/\\])/.test(value) || /[\\\u0000-\u0020\u007f]/.test(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, "http://same-origin.invalid");
  } catch {
    return fallback;
  }
  if (url.origin !== "http://same-origin.invalid") return fallback;
  if (/^\/(sign-in|sign-up)(\/|$)/.test(url.pathname)) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}

/**
 * The request header proxy.ts sets on page requests: the path and query being asked for. Server components
 * are not told their URL; requireUser() reads this to send a signed-out visitor back here after sign-in.
 */
export const REQUEST_PATH_HEADER = "x-meterway-path";

/** The sign-in page's URL that comes back to `path` (when it is one we may go back to). */
export function signInUrl(path: string | null | undefined): string {
  const back = safeRedirectPath(path, "");
  return back ? `/sign-in?callbackUrl=${encodeURIComponent(back)}` : "/sign-in";
}
