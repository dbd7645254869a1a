// The launcher behind `npm run dev` (and `npm start`): with DATABASE_URL unset it starts (or adopts)
// an embedded PostgreSQL under DATA_DIR, migrates and seeds it, generates NEXTAUTH_SECRET there, then
// runs Next.
//   npm run dev                               next dev on PORT (default 3000), one process
//   npm start                                 the production server (after `npm run build`): one
//                                             process per core on PORT (scripts/server.js)
//   npm run dev -- --hostname 127.0.0.1       extra arguments go to Next (or to the server: -H, -p)
import { spawn } from "node:child_process";
import path from "node:path";
import { resolveDatabaseUrl } from "./lib/database-url";
import { loadLocalSecrets } from "./lib/local-state";

const log = (line: string) => console.log(`[meterway] ${line}`);

async function main() {
  const args = process.argv.slice(2);
  const production = args.includes("--start");
  const nextArgs = args.filter((a) => a !== "--start");

  const database = await resolveDatabaseUrl(log);
  // Read the validated environment only now: resolveDatabaseUrl has set DATABASE_URL.
  const { env } = await import("../lib/env.js");
  const secrets = await loadLocalSecrets(path.resolve(env.DATA_DIR));
  log(`database ready${database.startedEmbedded ? " (embedded PostgreSQL)" : ""}`);

  const port = String(env.PORT);
  const command = production
    ? [path.resolve("scripts/server.js"), "-p", port, ...nextArgs]
    : [path.resolve("node_modules/next/dist/bin/next"), "dev", "-p", port, ...nextArgs];
  // The server runs on plain node (no TypeScript loader in the workers that serve requests).
  const child = spawn(
    process.execPath,
    command,
    {
      stdio: "inherit",
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        NEXTAUTH_SECRET: env.NEXTAUTH_SECRET ?? secrets.nextauthSecret,
        // next-auth builds its redirects from this; without it, it assumes port 3000.
        NEXTAUTH_URL: env.NEXTAUTH_URL ?? `http://localhost:${port}`,
        NEXT_TELEMETRY_DISABLED: "1",
      },
    },
  );

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
    await database.release();
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(130));
  process.on("SIGTERM", () => void stop(143));
  child.on("exit", (code) => void stop(code ?? 1));
}

main().catch((error) => {
  console.error(`[meterway] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
