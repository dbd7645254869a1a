// The application's clock for calendar logic (key spend periods). Tests and e2e runs can move it
// forward — only when ENABLE_TEST_CLOCK is set, never in a normal production start.
import { env } from "@/lib/env.js";

const g = globalThis as unknown as { __mwClockOffsetMs?: number };

export function now(): Date {
  return new Date(Date.now() + (g.__mwClockOffsetMs ?? 0));
}

export function testClockEnabled(): boolean {
  return env.ENABLE_TEST_CLOCK || env.NODE_ENV === "test";
}

/** Moves this process's clock `offsetMs` ahead of real time. */
export function setClockOffset(offsetMs: number): void {
  if (!testClockEnabled()) throw new Error("the test clock is disabled");
  g.__mwClockOffsetMs = offsetMs;
}
