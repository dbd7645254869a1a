// The floor of the benchmark: the least a Node proxy can cost. A plain node:http server that forwards
// every request to UPSTREAM with `undici.request` over a keep-alive Agent and streams the body back as it
// arrives — no auth, no validation, no metering. Whatever the gateway costs above this is our own code.
//   UPSTREAM=http://127.0.0.1:7101 npx tsx bench/floor-proxy.ts 7102
import http from "node:http";
import { Agent, request } from "undici";

const upstream = process.env.UPSTREAM ?? "http://127.0.0.1:7101";
const port = Number(process.argv[2] ?? 7102);
const agent = new Agent({ keepAliveTimeout: 60_000, connections: 1024 });
const HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "host"]);

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", async () => {
    try {
      const up = await request(upstream + req.url, {
        method: req.method as "POST",
        headers: { "content-type": req.headers["content-type"] ?? "application/json" },
        body: chunks.length ? Buffer.concat(chunks) : undefined,
        dispatcher: agent,
      });
      const headers: http.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(up.headers)) if (!HOP.has(k) && v !== undefined) headers[k] = v;
      res.writeHead(up.statusCode, headers);
      res.flushHeaders();
      for await (const piece of up.body) res.write(piece);
      res.end();
    } catch (error) {
      if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: String(error), type: "upstream_error" } }));
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, "127.0.0.1", () => console.log(`floor proxy on http://127.0.0.1:${port} -> ${upstream}`));
process.on("SIGTERM", () => process.exit(0));
