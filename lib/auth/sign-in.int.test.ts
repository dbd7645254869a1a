import { describe, expect, it } from "vitest";
import { env } from "@/lib/env.js";
import { signIn } from "./sign-in";
import { signUp } from "./sign-up";

describe("sign-in", () => {
  it("accepts the right password, refuses a wrong one without saying which part was wrong", async () => {
    await signUp({ input: { email: "Ada@Example.test", password: "analytical engine" } });
    expect(await signIn({ email: "ada@example.test", password: "analytical engine", ip: "10.0.0.1" })).toMatchObject({ ok: true, user: { email: "ada@example.test" } });
    expect(await signIn({ email: "ada@example.test", password: "difference engine", ip: "10.0.0.1" })).toEqual({ ok: false, reason: "invalid" });
    expect(await signIn({ email: "nobody@example.test", password: "difference engine", ip: "10.0.0.1" })).toEqual({ ok: false, reason: "invalid" });
  });

  it("does not count successful sign-ins against the limit", async () => {
    await signUp({ input: { email: "often@example.test", password: "signs in a lot" } });
    for (let i = 0; i < 15; i++) {
      expect(await signIn({ email: "often@example.test", password: "signs in a lot", ip: "10.3.0.1" })).toMatchObject({ ok: true });
    }
  });

  it("limits attempts per email across addresses, and more loosely per address across emails", async () => {
    await signUp({ input: { email: "grace@example.test", password: "compiler pioneer" } });
    const results = [];
    for (let i = 0; i < 12; i++) results.push(await signIn({ email: "grace@example.test", password: "wrong guess", ip: `10.1.0.${i}` }));
    expect(results.slice(0, 10).every((r) => !r.ok && r.reason === "invalid")).toBe(true);
    expect(results[10]).toMatchObject({ ok: false, reason: "rate_limited" });
    // Even the right password waits now.
    expect(await signIn({ email: "grace@example.test", password: "compiler pioneer", ip: "10.2.0.1" })).toMatchObject({ reason: "rate_limited" });

    // One address guessing at many emails: past the per-email limit it may still try others (a shared
    // office address must not lock everyone out after one person's typos), up to the address's limit.
    const spray = [];
    for (let i = 0; i <= env.SIGNIN_MAX_ATTEMPTS_PER_ADDRESS; i++) spray.push(await signIn({ email: `spray${i}@example.test`, password: "x", ip: "10.9.9.9" }));
    expect(spray[env.SIGNIN_MAX_ATTEMPTS]).toMatchObject({ ok: false, reason: "invalid" });
    expect(spray.at(-2)).toMatchObject({ ok: false, reason: "invalid" });
    expect(spray.at(-1)).toMatchObject({ ok: false, reason: "rate_limited" });
  });

  it("refuses a duplicate email and a short password at sign-up with a clear message", async () => {
    await signUp({ input: { email: "linus@example.test", password: "penguins rule" } });
    await expect(signUp({ input: { email: "LINUS@example.test", password: "penguins rule" } })).rejects.toMatchObject({ code: "conflict", param: "email" });
    await expect(signUp({ input: { email: "new@example.test", password: "short" } })).rejects.toMatchObject({ code: "invalid_request", param: "password" });
  });
});
