// Serves the built app for the Playwright suite: a fresh embedded PostgreSQL under .data/e2e-<port> and
// TWO sandbox production-server instances on one database (ports 3100 and 3101), so the suite also proves
// that the money guarantees and key revocation hold across instances — plus a third instance (3102)
// configured for Stripe, pointed at a local fake Stripe (scripts/test/fake-stripe.ts), whose hosted
// checkout page the browser pays on. Run by playwright.config.ts.
import { spawn, type ChildProcess } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";

// E2E_BASE_PORT moves the two instances (and their data folder), so separate runs can coexist.
const BASE_PORT = Number(process.env.E2E_BASE_PORT ?? 3100);
const DATA_DIR = path.resolve(`.data/e2e-${BASE_PORT}`);
const PORTS = [BASE_PORT, BASE_PORT + 1];
const STRIPE_PORT = BASE_PORT + 2;

async function main() {
  process.env.DATA_DIR = DATA_DIR;
  process.env.EMBEDDED_PG_PORT ??= String(54331 + (BASE_PORT - 3100));
  if (!process.env.DATABASE_URL) await rm(DATA_DIR, { recursive: true, force: true }); // every run starts clean
  const { resolveDatabaseUrl } = await import("./lib/database-url");
  const database = await resolveDatabaseUrl((line) => console.log(`[e2e] ${line}`));
  await writeFile(path.join(DATA_DIR, "database-url"), database.url, { mode: 0o600 }).catch(async () => {
    const { mkdir } = await import("node:fs/promises");
    await mkdir(DATA_DIR, { recursive: true });
    await writeFile(path.join(DATA_DIR, "database-url"), database.url, { mode: 0o600 });
  });

  const { startFakeStripe } = await import("./test/fake-stripe");
  const fakeStripe = await startFakeStripe();
  fakeStripe.webhookUrl = `http://127.0.0.1:${STRIPE_PORT}/api/webhooks/stripe`;
  await writeFile(path.join(DATA_DIR, "fake-stripe-url"), fakeStripe.url);

  // The production server (`npm start`'s): Next behind the /v1 load-shedding gate, with the hot /v1
  // routes served directly. One process each: the suite's two instances stand for two machines.
  const start = (port: number, extra: Record<string, string> = {}) =>
    spawn(process.execPath, [path.resolve("scripts/server.js"), "-H", "127.0.0.1", "-p", String(port)], {
      stdio: "inherit",
      env: {
        ...process.env,
        NODE_ENV: "production",
        DATABASE_URL: database.url,
        NEXTAUTH_SECRET: "e2e-only-secret-not-for-production-0123456789",
        NEXTAUTH_URL: `http://127.0.0.1:${PORTS[0]}`,
        NEXT_TELEMETRY_DISABLED: "1",
        ENABLE_TEST_CLOCK: "true",
        WEB_CONCURRENCY: "1",
        // Low limits so the suite can see them work.
        SIGNIN_MAX_ATTEMPTS: process.env.SIGNIN_MAX_ATTEMPTS ?? "8",
        // The 200-request burst on one account (concurrency.spec) is there to race holds against the
        // balance; on a busy CI machine the default 100 ms database-queue limit would shed most of it
        // before it reaches the race. Shedding has its own tests (lib/gateway/overload.int.test.ts).
        GATEWAY_MAX_DB_WAIT_MS: process.env.GATEWAY_MAX_DB_WAIT_MS ?? "1000",
        ...extra,
      },
    });
  // One after the other, the last one last: Playwright waits for it, so all are up when it is.
  const children: ChildProcess[] = [];
  children.push(
    start(STRIPE_PORT, {
      STRIPE_SECRET_KEY: "sk_test_e2e_fake",
      STRIPE_WEBHOOK_SECRET: fakeStripe.secret,
      STRIPE_API_BASE: fakeStripe.url,
      NEXTAUTH_URL: `http://127.0.0.1:${STRIPE_PORT}`,
    }),
  );
  await waitForHealth(STRIPE_PORT);
  for (const port of PORTS) {
    children.push(start(port));
    await waitForHealth(port);
  }

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : null)));
    await fakeStripe.close();
    await database.release();
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  for (const child of children) child.on("exit", (code) => void stop(code ?? 1));
}

async function waitForHealth(port: number): Promise<void> {
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the app on port ${port} did not become healthy`);
}

main().catch((error) => {
  console.error(`[e2e] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
