import { describe, expect, it } from "vitest";
import { Batcher } from "./batcher";

/** A batch runner whose batches finish when the test says so. */
function controlled() {
  const batches: { inputs: number[]; finish: () => void; fail: (error: Error) => void }[] = [];
  const run = (inputs: number[]) =>
    new Promise<number[]>((resolve, reject) => {
      batches.push({ inputs, finish: () => resolve(inputs.map((n) => n * 10)), fail: reject });
    });
  return { batches, run };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const dbWaiters = () => (globalThis as unknown as { __dbWaiters?: Map<number, number> }).__dbWaiters?.size ?? 0;

describe("Batcher", () => {
  it("sends calls made together as one batch, and what arrives meanwhile as the next", async () => {
    const { batches, run } = controlled();
    const batcher = new Batcher(run, 64, 1_000);
    const first = [1, 2, 3].map((n) => batcher.submit(n));
    await tick();
    expect(batches.map((b) => b.inputs)).toEqual([[1, 2, 3]]);

    const later = [4, 5].map((n) => batcher.submit(n));
    await tick();
    expect(batches).toHaveLength(1); // waits for the running batch
    expect(dbWaiters()).toBe(2); // and load shedding sees them waiting

    batches[0]!.finish();
    expect(await Promise.all(first)).toEqual([10, 20, 30]);
    await tick();
    expect(batches.map((b) => b.inputs)).toEqual([[1, 2, 3], [4, 5]]);
    expect(dbWaiters()).toBe(0);
    batches[1]!.finish();
    expect(await Promise.all(later)).toEqual([40, 50]);
  });

  it("caps a batch at maxSize", async () => {
    const { batches, run } = controlled();
    const batcher = new Batcher(run, 2, 1_000);
    const all = [1, 2, 3, 4, 5].map((n) => batcher.submit(n));
    await tick();
    batches[0]!.finish();
    await tick();
    batches[1]!.finish();
    await tick();
    batches[2]!.finish();
    expect(await Promise.all(all)).toEqual([10, 20, 30, 40, 50]);
    expect(batches.map((b) => b.inputs)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it("starts the next batch beside one that stalls, instead of holding everyone up", async () => {
    const { batches, run } = controlled();
    const batcher = new Batcher(run, 64, 20);
    const stuck = batcher.submit(1);
    await tick();
    const behind = batcher.submit(2);
    await tick();
    expect(batches).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(batches.map((b) => b.inputs)).toEqual([[1], [2]]);
    batches[1]!.finish();
    expect(await behind).toBe(20);
    batches[0]!.finish();
    expect(await stuck).toBe(10);
  });

  it("rejects every call of a failed batch, and only those", async () => {
    const { batches, run } = controlled();
    const batcher = new Batcher(run, 64, 1_000);
    const failed = [1, 2].map((n) => batcher.submit(n));
    await tick();
    const next = batcher.submit(3);
    batches[0]!.fail(new Error("database unavailable"));
    await expect(Promise.all(failed)).rejects.toThrow("database unavailable");
    await tick();
    batches[1]!.finish();
    expect(await next).toBe(30);
  });
});
