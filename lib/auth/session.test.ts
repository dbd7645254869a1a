// requireUser: a signed-out visitor is sent to sign-in with the page they asked for (as proxy.ts recorded it).
import { beforeEach, describe, expect, it, vi } from "vitest";

const state = vi.hoisted(() => ({ session: null as unknown, headers: new Headers() }));
vi.mock("next-auth", () => ({ getServerSession: async () => state.session }));
vi.mock("next/headers", () => ({ headers: async () => state.headers }));
vi.mock("next/navigation", () => ({
  redirect: (url: string) => {
    throw Object.assign(new Error("NEXT_REDIRECT"), { url });
  },
}));

const { requireUser } = await import("./session");
const { REQUEST_PATH_HEADER } = await import("@/lib/http/safe-redirect");

async function redirectOf(): Promise<string> {
  try {
    await requireUser();
  } catch (error) {
    return (error as { url: string }).url;
  }
  throw new Error("requireUser did not redirect");
}

describe("requireUser", () => {
  beforeEach(() => {
    state.session = null;
    state.headers = new Headers();
  });

  it("sends a signed-out visitor to sign-in with the page asked for", async () => {
    state.headers.set(REQUEST_PATH_HEADER, "/usage/requests?status=FAILED");
    expect(await redirectOf()).toBe("/sign-in?callbackUrl=%2Fusage%2Frequests%3Fstatus%3DFAILED");
  });

  it("sends them to plain sign-in when the page is unknown or not one to go back to", async () => {
    expect(await redirectOf()).toBe("/sign-in");
    state.headers.set(REQUEST_PATH_HEADER, "//evil.example/usage");
    expect(await redirectOf()).toBe("/sign-in");
  });

  it("returns the signed-in user", async () => {
    state.session = { user: { id: "u1", email: "a@example.test", role: "USER", name: null } };
    await expect(requireUser()).resolves.toEqual({ userId: "u1", email: "a@example.test", role: "USER", name: null });
  });
});
