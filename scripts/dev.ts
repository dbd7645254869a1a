// The launcher behind `npm run dev` (and `npm start`): with DATABASE_URL unset it starts an embedded
// PostgreSQL under DATA_DIR, migrates and seeds it, generates NEXTAUTH_SECRET there, then runs Next.
//   npm run dev                    next dev on PORT (default 3000)
//   npm start                      next start (after `npm run build`)
//   npm run dev -- --hostname 127.0.0.1   extra arguments go to Next
import { spawn } from "node:child_process";
import path from "node:path";
import { env } from "../lib/env.js";
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedDatabase } from "./lib/embedded-postgres";
import { loadLocalSecrets } from "./lib/local-state";
import { migrate } from "./lib/migrate";
import { seed } from "./lib/seed";

const log = (line: string) => console.log(`[meterway] ${line}`);

async function main() {
  const args = process.argv.slice(2);
  const production = args.includes("--start");
  const nextArgs = args.filter((a) => a !== "--start");
  const dataDir = path.resolve(env.DATA_DIR);
  const secrets = await loadLocalSecrets(dataDir);

  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, "pg"),
      port: env.EMBEDDED_PG_PORT,
      password: secrets.postgresPassword,
      log,
    });
    await ensureDatabase(embedded.adminUrl, "meterway");
    databaseUrl = embedded.urlFor("meterway");
  }

  const { applied } = await migrate(databaseUrl, log);
  const seeded = await seed(databaseUrl);
  log(`database ready (${applied.length} migration(s) applied; ${seeded.models} model(s) added)`);

  const port = String(env.PORT);
  const child = spawn(
    process.execPath,
    [path.resolve("node_modules/next/dist/bin/next"), production ? "start" : "dev", "-p", port, ...nextArgs],
    {
      stdio: "inherit",
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        NEXTAUTH_SECRET: env.NEXTAUTH_SECRET ?? secrets.nextauthSecret,
        NEXTAUTH_URL: env.NEXTAUTH_URL ?? `http://localhost:${port}`,
        NEXT_TELEMETRY_DISABLED: "1",
      },
    },
  );

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (child.exitCode === null) child.kill("SIGTERM");
    await embedded?.stop().catch(() => {});
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
