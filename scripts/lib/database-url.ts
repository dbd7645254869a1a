// Finds the database for a one-off command (the operator CLI): DATABASE_URL when set, otherwise the
// same embedded PostgreSQL `npm run dev` uses (adopted if it is already running, started otherwise,
// then migrated and seeded). It sets process.env.DATABASE_URL, so the caller must import the app's
// modules (anything that imports lib/env.js, which reads the environment once at import) only after
// this resolves.
//
// Why it reads process.env itself rather than importing lib/env.js: importing env.js here would
// freeze DATABASE_URL as unset for the whole process. The defaults below must match lib/env.js.
import path from "node:path";
import { z } from "zod";
import { ensureDatabase, startEmbeddedPostgres } from "./embedded-postgres";
import { loadLocalSecrets } from "./local-state";
import { migrate } from "./migrate";
import { seed } from "./seed";

const LauncherEnv = z.object({
  DATABASE_URL: z.preprocess((v) => (v === "" ? undefined : v), z.string().optional()),
  DATA_DIR: z.string().default(".data"),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
});

export interface ResolvedDatabase {
  url: string;
  /** Whether this process started the embedded server (and so stops it in `release`). */
  startedEmbedded: boolean;
  /** Stops the embedded server if this process started it; a server someone else runs is left alone. */
  release(): Promise<void>;
}

export async function resolveDatabaseUrl(log: (line: string) => void = () => {}): Promise<ResolvedDatabase> {
  const parsed = LauncherEnv.safeParse(process.env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${issue.path.join(".")}: ${issue.message}`);
  }
  const launcher = parsed.data;
  if (launcher.DATABASE_URL) {
    return { url: launcher.DATABASE_URL, startedEmbedded: false, release: async () => {} };
  }

  const dataDir = path.resolve(launcher.DATA_DIR);
  const secrets = await loadLocalSecrets(dataDir);
  const embedded = await startEmbeddedPostgres({
    dataDir: path.join(dataDir, "pg"),
    port: launcher.EMBEDDED_PG_PORT,
    password: secrets.postgresPassword,
    log,
  });
  const startedEmbedded = embedded.reused !== true;
  const release = async () => {
    if (!startedEmbedded) return;
    // pg's Pool.end() resolves once its clients are told to end, not once their sockets are closed;
    // stopping the server at that very moment makes a closing client report "terminating connection".
    await new Promise((resolve) => setTimeout(resolve, 100));
    await embedded.stop().catch(() => {});
  };
  try {
    await ensureDatabase(embedded.adminUrl, "meterway");
    const url = embedded.urlFor("meterway");
    await migrate(url, log);
    await seed(url);
    process.env.DATABASE_URL = url;
    return { url, startedEmbedded, release };
  } catch (error) {
    await release();
    throw error;
  }
}
