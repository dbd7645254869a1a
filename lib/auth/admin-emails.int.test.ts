// ADMIN_EMAILS: the listed people become administrators on sign-up and on sign-in. lib/env.js reads the
// environment when first imported, so this file sets it first and imports the app's modules after.
import { describe, expect, it } from "vitest";

process.env.ADMIN_EMAILS = "Boss@Example.test, second@example.test";
const { signUp } = await import("./sign-up");
const { signIn } = await import("./sign-in");
const { db } = await import("@/lib/db");

describe("ADMIN_EMAILS", () => {
  it("makes a listed email an admin at sign-up, and promotes an existing user at sign-in", async () => {
    expect((await signUp({ input: { email: "boss@example.test", password: "correct horse battery" } })).role).toBe("ADMIN");
    expect((await signUp({ input: { email: "nobody@example.test", password: "correct horse battery" } })).role).toBe("USER");

    await db.user.create({ data: { email: "second@example.test", passwordHash: (await db.user.findUniqueOrThrow({ where: { email: "nobody@example.test" } })).passwordHash, account: { create: {} } } });
    const result = await signIn({ email: "second@example.test", password: "correct horse battery", ip: "10.7.0.1" });
    expect(result).toMatchObject({ ok: true, user: { role: "ADMIN" } });
    expect(await db.auditEvent.count({ where: { action: "user.promoted" } })).toBe(1);
  });

  it("records a failed sign-in in the audit log", async () => {
    await signIn({ email: "boss@example.test", password: "wrong password", ip: "10.7.0.2" });
    const event = await db.auditEvent.findFirstOrThrow({ where: { action: "auth.sign_in_failed" } });
    expect(event).toMatchObject({ actorLabel: "boss@example.test", ip: "10.7.0.2", after: { reason: "invalid" } });
  });
});
