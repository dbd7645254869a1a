// The usage JSON and CSV routes read their filters strictly: a malformed one answers 400 in API.md's error
// shape naming the parameter — never a page or a file of rows the caller did not ask for.
import { beforeAll, describe, expect, it, vi } from "vitest";
import { createFunded } from "@/scripts/test/fixtures";
import { BASE_URL, gatewayFetch } from "@/scripts/test/gateway-fetch";

const session = vi.hoisted(() => ({ userId: "" }));
vi.mock("@/lib/auth/session", () => ({
  getSessionUser: async () => (session.userId ? { userId: session.userId, role: "USER", email: "u@example.test", name: null } : null),
}));

const { GET: listRequests } = await import("./requests/route");
const { GET: exportCsv } = await import("./export/route");

let keyId = "";

beforeAll(async () => {
  const customer = await createFunded(10_000_000n);
  session.userId = customer.user.id;
  keyId = customer.keyId;
  const res = await gatewayFetch(`${BASE_URL}/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${customer.key}` },
    body: JSON.stringify({ model: "sandbox/chat", messages: [{ role: "user", content: "hello" }], max_tokens: 8 }),
  });
  expect(res.status).toBe(200);
});

const get = (route: (req: Request) => Promise<Response>, query: string) => route(new Request(`http://portal.test/api/usage/x?${query}`));

describe.each([
  ["GET /api/usage/requests", listRequests],
  ["GET /api/usage/export", exportCsv],
])("%s", (_, route) => {
  it.each([
    ["key=garbage", "key"],
    ["from=2026-13-45", "from"],
    ["to=2026-02-31", "to"],
    ["from=2026-03-05&to=2026-03-04", "from"],
    ["status=DONE", "status"],
    ["paid_by=card", "paid_by"],
    [`model=${"m".repeat(201)}`, "model"],
  ])("answers 400 invalid_request for %s, naming %s", async (query, param) => {
    const res = await get(route, query);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect(body).toEqual({ error: { message: expect.any(String), type: "invalid_request_error", code: "invalid_request", param } });
  });

  it("applies well-formed filters", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const mine = await get(route, `key=${keyId}&status=succeeded&from=${today}&to=${today}`);
    expect(mine.status).toBe(200);
    const none = await get(route, `key=${keyId}&status=FAILED`);
    expect(none.status).toBe(200);
    if (route === listRequests) {
      expect(((await mine.json()) as { items: unknown[] }).items).toHaveLength(1);
      expect(((await none.json()) as { items: unknown[] }).items).toHaveLength(0);
    } else {
      expect((await mine.text()).trim().split("\n")).toHaveLength(2); // header + the one request
      expect((await none.text()).trim().split("\n")).toHaveLength(1);
    }
  });
});

describe("GET /api/usage/requests' own parameters", () => {
  it.each([
    ["from_ts=yesterday", "from_ts"],
    ["limit=abc", "limit"],
    ["limit=1000", "limit"],
    ["cursor=garbage", "cursor"],
  ])("answers 400 for %s", async (query, param) => {
    const res = await get(listRequests, query);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "invalid_request", param } });
  });

  it("reads an exact instant range", async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const res = await get(listRequests, `from_ts=${from}&to_ts=${to}&limit=10`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(1);
  });
});
