// In-process background work: the hold sweeper (API.md: "Nothing stuck"), sandbox/manual subscription
// renewals, expiring abandoned sandbox checkouts, the daily usage rollup, and the async task runner.
// Safe on many instances (holds: conditional statements; tasks: row leases; rollup: its state row's lock).
import { env } from "@/lib/env.js";
import { sweepExpiredHolds } from "@/lib/billing/holds";
import { renewDueSubscriptions } from "@/lib/billing/subscriptions/renew-due";
import { expireSandboxCheckouts } from "@/lib/payments/sandbox-checkout";
import { hasOpenTasks, onWake, purgeExpiredResults, runOnce } from "@/lib/gateway/tasks/runner";
import { rollUpUsage } from "@/lib/usage/roll-up-usage";

const SWEEP_EVERY_MS = 30_000;
/** The task runner polls every ~500 ms while there is work, backing off to 5 s when idle. */
const TASKS_BUSY_MS = 500;
const TASKS_IDLE_MAX_MS = 5_000;
const TASKS_IN_PARALLEL = 4;

const g = globalThis as unknown as { __mwJobs?: boolean };
/** Said once, not every 30 s, while an open transaction we cannot date holds the rollup back. */
let rollupHeldBack = false;

export function startBackgroundJobs(): void {
  if (g.__mwJobs || env.DISABLE_BACKGROUND_JOBS || !env.DATABASE_URL) return;
  g.__mwJobs = true;
  // Load the tokenizer's tables now rather than on the first request.
  void import("@/lib/gateway/tokens").then((t) => t.countTokens("warm up"));
  const sweep = async () => {
    try {
      const released = await sweepExpiredHolds();
      if (released > 0) console.warn(`[jobs] released ${released} expired hold(s)`);
    } catch (error) {
      console.error("[jobs] hold sweep failed:", (error as Error).message);
    }
    try {
      // Sandbox and manual subscriptions renew here; Stripe renews its own (invoice.paid).
      const { renewed, ended } = await renewDueSubscriptions();
      if (renewed + ended > 0) console.warn(`[jobs] subscriptions: ${renewed} renewed, ${ended} ended at their period end`);
    } catch (error) {
      console.error("[jobs] subscription renewal failed:", (error as Error).message);
    }
    try {
      await expireSandboxCheckouts();
    } catch (error) {
      console.error("[jobs] sandbox checkout expiry failed:", (error as Error).message);
    }
    try {
      // One small query while the day is not over; once a day, the day that just ended.
      const rolled = await rollUpUsage();
      if (rolled.days > 0) console.warn(`[jobs] usage rollup: ${rolled.days} day(s), ${rolled.rows} row(s); rolled up until ${rolled.rolledUntil}`);
      if (rolled.skipped === "unknown-transaction" && !rollupHeldBack) console.warn("[jobs] usage rollup waits: another role has a transaction open (the dashboard reads records meanwhile)");
      rollupHeldBack = rolled.skipped === "unknown-transaction";
    } catch (error) {
      console.error("[jobs] usage rollup failed:", (error as Error).message);
    }
  };
  setInterval(sweep, SWEEP_EVERY_MS).unref();
  void sweep();
  startTaskRunner();
}

function startTaskRunner(): void {
  let idleMs = TASKS_BUSY_MS;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  const loop = async () => {
    if (running) return;
    running = true;
    let worked = false;
    try {
      // Drain what is due (a few tasks at a time), then wait.
      for (let round = 0; round < 25; round++) {
        const results = await Promise.all(Array.from({ length: TASKS_IN_PARALLEL }, () => runOnce()));
        if (!results.some(Boolean)) break;
        worked = true;
      }
      // Tasks still running upstream keep the loop at its busy pace; only a quiet database backs it off.
      if (!worked) worked = await hasOpenTasks();
    } catch (error) {
      console.error("[jobs] task runner failed:", (error as Error).message);
    } finally {
      running = false;
    }
    idleMs = worked ? TASKS_BUSY_MS : Math.min(TASKS_IDLE_MAX_MS, idleMs * 2);
    timer = setTimeout(loop, idleMs);
    timer.unref();
  };
  // A task submitted on this instance starts at once.
  onWake(() => {
    idleMs = TASKS_BUSY_MS;
    if (timer) clearTimeout(timer);
    timer = setTimeout(loop, 0);
  });
  setInterval(() => {
    purgeExpiredResults().catch((error) => console.error("[jobs] result purge failed:", (error as Error).message));
  }, SWEEP_EVERY_MS).unref();
  void loop();
}
