// Where a gateway request's time went, as a W3C `Server-Timing` response header: each step the
// pipeline marks (auth, parse, hold, upstream, settle) with its duration, and `total` from arrival to
// the response's headers. Clients and the benchmark read it to tell the gateway's own time from the
// provider's; browsers show it in their network panel.

/** The pipeline's steps, in order. A step that did not run is simply absent. */
export const TIMING_STEPS = ["auth", "parse", "hold", "upstream", "settle"] as const;
export type TimingStep = (typeof TIMING_STEPS)[number];

export class ServerTiming {
  private readonly steps: [TimingStep, number][] = [];
  private last: number;

  constructor(private readonly startedAt: number) {
    this.last = startedAt;
  }

  /** Ends `step` now: its duration is the time since the previous mark (or since arrival). */
  mark(step: TimingStep): void {
    const now = performance.now();
    this.steps.push([step, now - this.last]);
    this.last = now;
  }

  /** `auth;dur=0.12, parse;dur=0.31, …, total;dur=53.20` (milliseconds, two decimals). */
  header(): string {
    const total = performance.now() - this.startedAt;
    return [...this.steps, ["total", total] as const].map(([name, ms]) => `${name};dur=${ms.toFixed(2)}`).join(", ");
  }
}

/** Parses a `Server-Timing` header into step → milliseconds (entries without a `dur` are skipped). */
export function parseServerTiming(header: string | null | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const entry of (header ?? "").split(",")) {
    const [name, ...params] = entry.trim().split(";");
    const dur = params.map((p) => p.trim()).find((p) => p.startsWith("dur="));
    if (name && dur) out[name] = Number(dur.slice(4));
  }
  return out;
}
