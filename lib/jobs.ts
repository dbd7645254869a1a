// In-process background work: the hold sweeper (API.md: "Nothing stuck"). Safe on many instances.
import { env } from "@/lib/env.js";
import { sweepExpiredHolds } from "@/lib/billing/holds";

const SWEEP_EVERY_MS = 30_000;

const g = globalThis as unknown as { __mwJobs?: boolean };

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
  };
  setInterval(sweep, SWEEP_EVERY_MS).unref();
  void sweep();
}
