// The production server's bridge from node:http to a /v1 route handler: the handler gets the body and
// a signal that aborts when the client goes away (what stops the upstream call and settles a stream).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, expect, it } from "vitest";
import { serveWebHandler } from "./node-handler.js";

let server: http.Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

it("hands the handler the body, and a signal that aborts when the client goes away", async () => {
  const seen: { body?: string; abortedAtStart?: boolean } = {};
  let reportAbort!: () => void;
  const aborted = new Promise<void>((resolve) => (reportAbort = resolve));
  let reportRead!: () => void;
  const read = new Promise<void>((resolve) => (reportRead = resolve));
  server = http.createServer((req, res) => {
    void serveWebHandler(
      async (request) => {
        seen.abortedAtStart = request.signal.aborted;
        request.signal.addEventListener("abort", () => reportAbort(), { once: true });
        seen.body = await request.text();
        reportRead();
        await aborted;
        return new Response("too late");
      },
      req,
      res,
    );
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const client = http.request({ port: (server.address() as AddressInfo).port, host: "127.0.0.1", method: "POST", path: "/v1/chat/completions" });
  client.on("error", () => {}); // destroyed below, on purpose
  client.end('{"model":"m"}');
  await read;
  expect(seen).toEqual({ body: '{"model":"m"}', abortedAtStart: false });
  client.destroy();
  await expect(Promise.race([aborted.then(() => "aborted"), new Promise((r) => setTimeout(() => r("not aborted"), 2000))])).resolves.toBe("aborted");
});
