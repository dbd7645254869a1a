// Natural batching ("group commit") for the money core's hot statements. One batch runs at a time per
// process and kind; whatever arrives while it runs waits and goes out together as the next batch. An
// idle gateway therefore sends each request on its own at once (no timer, no added latency), and a busy
// one sends a few dozen per statement and per commit — measured here at ≈2× the holds and settlements
// per second at 16 concurrent and ≈3.5× at 64, for a quarter to a sixth of PostgreSQL's CPU per
// request (bench/money-core.ts).
//
// A batch that takes unusually long (it waits on a row another transaction holds) must not hold up
// everyone queued behind it: after `stallMs` the next batch starts beside it, up to MAX_RUNNING.
import { waitingForDatabase } from "@/lib/db";

const MAX_RUNNING = 4;

interface Pending<I, O> {
  input: I;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
  /** Ends this request's entry in the database wait queue that load shedding watches. */
  done: () => void;
}

export class Batcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private running = 0;
  private lastStart = 0;
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param run answers a batch, one output per input in order; a rejection rejects the whole batch.
   * @param maxSize the most inputs per batch.
   * @param stallMs how long a running batch may hold up the queue before the next one starts beside it.
   */
  constructor(
    private readonly run: (inputs: I[]) => Promise<O[]>,
    private readonly maxSize: number,
    private readonly stallMs = 25,
  ) {}

  submit(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, resolve, reject, done: waitingForDatabase() });
      if (this.running > 0) return this.pump();
      // Flushing after the current microtasks lets calls made together (Promise.all) share a batch.
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  private pump(): void {
    if (this.queue.length === 0) return;
    const sinceStart = performance.now() - this.lastStart;
    if (this.running === 0 || (this.running < MAX_RUNNING && sinceStart >= this.stallMs)) this.start();
    if (this.queue.length > 0 && this.running > 0 && !this.timer) {
      this.timer = setTimeout(
        () => {
          this.timer = undefined;
          this.pump();
        },
        Math.max(1, this.stallMs - (performance.now() - this.lastStart)),
      );
      this.timer.unref();
    }
  }

  private start(): void {
    const batch = this.queue.splice(0, this.maxSize);
    for (const pending of batch) pending.done();
    this.running++;
    this.lastStart = performance.now();
    this.run(batch.map((pending) => pending.input))
      .then(
        (outputs) => batch.forEach((pending, i) => pending.resolve(outputs[i]!)),
        (error) => batch.forEach((pending) => pending.reject(error)),
      )
      .finally(() => {
        this.running--;
        this.pump();
      });
  }
}
