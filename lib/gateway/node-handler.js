// @ts-check
// Serves a /v1 route handler ((Request) => Promise<Response>) straight from node:http, for the
// production server (scripts/server.js): Next's routing and request adaptation cost more than the
// whole gateway pipeline on the hot path, and the gateway needs none of it (no pages, no cookies, no
// caching). The body streams in (the handler enforces MAX_BODY_BYTES as it reads), the response
// streams out chunk by chunk with backpressure, and a client that goes away aborts the request's
// signal and cancels the response stream — which is what settles an abandoned stream for what was
// delivered.
import { Readable } from "node:stream";

/**
 * @param {(req: Request) => Promise<Response>} handler
 * @param {import("node:http").IncomingMessage} req
 * @param {import("node:http").ServerResponse} res
 * @param {(headers: Headers) => void} [onHeaders] sees the handler's response headers as they go out
 */
export async function serveWebHandler(handler, req, res, onHeaders) {
  const controller = new AbortController();
  /** @type {ReadableStreamDefaultReader<Uint8Array> | null} */
  let reader = null;
  let finished = false;
  res.once("close", () => {
    if (finished) return;
    controller.abort();
    reader?.cancel().catch(() => {});
  });

  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(/** @type {string} */ (raw[i]), /** @type {string} */ (raw[i + 1]));
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  /** @type {Response} */
  let response;
  try {
    response = await handler(
      new Request(`http://${req.headers.host ?? "localhost"}${req.url}`, /** @type {RequestInit} */ ({
        method: req.method,
        headers,
        body: hasBody ? Readable.toWeb(req) : undefined,
        duplex: "half",
        signal: controller.signal,
      })),
    );
  } catch (error) {
    // gatewayRoute renders every failure itself; this is a last resort that never shows a stack.
    console.error(`[gateway] unhandled error for ${req.method} ${req.url}:`, error);
    finished = true;
    if (!res.headersSent) {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "Internal error.", type: "server_error", code: "internal_error", param: null } }));
    } else res.end();
    return;
  }

  onHeaders?.(response.headers);
  /** @type {Record<string, string | string[]>} */
  const out = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") out[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) out["set-cookie"] = cookies;
  res.writeHead(response.status, out);
  if (!response.body || res.destroyed) {
    finished = true;
    res.end();
    if (response.body) await response.body.cancel().catch(() => {});
    return;
  }
  reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) {
        await new Promise((resolve) => {
          res.once("drain", resolve);
          res.once("close", resolve);
        });
      }
      if (res.destroyed) return; // the close handler cancelled the stream
    }
    finished = true;
    res.end();
  } catch (error) {
    if (!res.destroyed) {
      console.error(`[gateway] response stream failed for ${req.method} ${req.url}:`, error);
      res.destroy();
    }
  }
}
