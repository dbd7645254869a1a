// Processes for the benchmark: start a server pinned to a core, wait for its port, and read how much CPU a
// process tree has used (utime + stime from /proc, children included), so a run can report CPU per request.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import net from "node:net";
import pg from "pg";

export const TICK_US = 1_000_000 / Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim() || 100);

interface Stat { pid: number; ppid: number; ticks: number }

function readStat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: split after its closing one.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    // Fields from 3 on: state ppid … utime(14) stime(15) cutime(16) cstime(17), here shifted by 3.
    const n = (i: number) => Number(fields[i - 3]);
    return { pid, ppid: n(4), ticks: n(14) + n(15) + n(16) + n(17) };
  } catch {
    return null; // exited meanwhile
  }
}

function allStats(): Stat[] {
  const stats: Stat[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) stats.push(s);
  }
  return stats;
}

/** Pids of the trees rooted at `roots` (the roots included). */
export function treePids(roots: number[]): number[] {
  const stats = allStats();
  const children = new Map<number, number[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid]);
  const seen = new Set<number>();
  const stack = [...roots];
  while (stack.length) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return [...seen];
}

/**
 * CPU used so far by the trees rooted at `roots`, in microseconds: every live process's own time plus what
 * its exited, reaped children used (cutime/cstime), so nothing is counted twice or lost.
 */
export function treeCpuUs(roots: number[]): number {
  let ticks = 0;
  for (const pid of treePids(roots)) ticks += readStat(pid)?.ticks ?? 0;
  return ticks * TICK_US;
}

/** Pins every thread of a process to `cpus` (a taskset list such as "0" or "0-1"); its future children inherit it. */
export function pin(pid: number, cpus: string) {
  execFileSync("taskset", ["-a", "-p", "-c", cpus, String(pid)], { stdio: "ignore" });
}

export interface Server { name: string; child: ChildProcess; pid: number; log: string[] }

/**
 * Starts a command pinned to `cpus` (a taskset list; null: as this process is), keeping its last output
 * lines; `onLine` sees every line as it comes.
 */
export function startServer(name: string, command: string[], opts: { cpus: string | null; env?: NodeJS.ProcessEnv; cwd?: string; onLine?: (line: string) => void }): Server {
  const argv = opts.cpus === null ? command : ["taskset", "-c", opts.cpus, ...command];
  const child = spawn(argv[0]!, argv.slice(1), { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] });
  const log: string[] = [];
  const keep = (b: Buffer) => {
    const lines = b.toString().split("\n").filter(Boolean);
    if (opts.onLine) lines.forEach(opts.onLine);
    log.push(...lines);
    if (log.length > 50) log.splice(0, log.length - 50);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  return { name, child, pid: child.pid!, log };
}

export async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1", () => { s.destroy(); resolve(false); });
    s.on("error", () => resolve(true));
  });
}

export async function waitForPort(server: Server, port: number, timeoutMs = 120_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (server.child.exitCode !== null) throw new Error(`${server.name} exited (${server.child.exitCode}):\n${server.log.join("\n")}`);
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => { s.destroy(); resolve(true); });
      s.on("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${server.name} did not open port ${port} in ${timeoutMs / 1000} s:\n${server.log.join("\n")}`);
}

/** SIGTERM, then SIGKILL for anything of its tree still alive 10 s later (or left behind by a parent that exited). */
export async function stopServer(server: Server) {
  const tree = treePids([server.pid]);
  const killRest = () => { for (const pid of tree.reverse()) try { process.kill(pid, "SIGKILL"); } catch {} };
  if (server.child.exitCode === null && server.child.signalCode === null) {
    const exited = new Promise((r) => server.child.once("exit", r));
    server.child.kill("SIGTERM");
    const timer = setTimeout(killRest, 10_000);
    await exited;
    clearTimeout(timer);
  }
  await new Promise((r) => setTimeout(r, 200));
  killRest();
}

/**
 * A fresh embedded PostgreSQL in `dataDir` (deleted first) on `port`, migrated and seeded as `npm run dev`
 * has it, with a connected client and the postmaster's pid (for its CPU). Sets DATA_DIR and
 * EMBEDDED_PG_PORT and clears DATABASE_URL in this process, so the app's modules find the same database.
 */
export async function freshDatabase(dataDir: string, port: string) {
  await rm(dataDir, { recursive: true, force: true });
  Object.assign(process.env, { DATA_DIR: dataDir, EMBEDDED_PG_PORT: port });
  delete process.env.DATABASE_URL; // always a database of its own
  const { resolveDatabaseUrl } = await import("../scripts/lib/database-url");
  const database = await resolveDatabaseUrl();
  const sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  const { rows } = await sql.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
  const postmaster = readStat(rows[0]!.pid)!.ppid;
  return { url: database.url, release: database.release, sql, postmaster };
}
