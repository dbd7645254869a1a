// Page requests — records the path and query asked for in a request header, because server components are
// not told their URL: requireUser() sends a signed-out visitor to /sign-in?callbackUrl=<that path>, so a deep
// link (/usage/requests?status=FAILED) survives signing in. Authentication itself stays in requireUser(),
// the one place that decides it; this file checks nothing.
import { NextResponse, type NextRequest } from "next/server";
import { REQUEST_PATH_HEADER } from "@/lib/http/safe-redirect";

export function proxy(request: NextRequest) {
  const url = request.nextUrl.clone();
  url.searchParams.delete("_rsc"); // the router's cache-busting parameter, not part of the page's address
  const requestHeaders = new Headers(request.headers);
  // Always overwritten, so a client cannot choose it (and sign-in accepts only a path of this site anyway).
  requestHeaders.set(REQUEST_PATH_HEADER, `${url.pathname}${url.search}`);
  return NextResponse.next({ request: { headers: requestHeaders } });
}

export const config = {
  // Pages only: not the model API, the JSON/CSV routes, Next's own files, or static files (a name with a dot).
  matcher: ["/((?!v1/|v1$|api/|api$|_next/|sign-in|sign-up|.*\\.[a-z0-9]+$).*)"],
};
