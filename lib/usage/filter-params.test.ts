// The usage filters in URLs: well-formed ones mean exactly what they say, malformed ones are reported
// (param and sentence) — never dropped, clamped or replaced by a default.
import { describe, expect, it } from "vitest";
import { encodeCursor } from "./cursor";
import { MAX_RANGE_DAYS, filterQuery, parseFilterParams, parseRequestLogQuery, parseUsageRange, toUsageFilter } from "./filter-params";

const KEY = "0b7e2c1a-1111-4111-8111-111111111111";
const q = (text: string) => new URLSearchParams(text);

describe("request log filters", () => {
  it("accepts well-formed filters, status and payer in any case, and whole UTC days with both ends included", () => {
    const parsed = parseFilterParams(q(`key=${KEY}&model=sandbox/chat&status=failed&paid_by=Mixed&from=2026-03-01&to=2026-03-04`));
    expect(parsed.ok).toBe(true);
    expect(parsed.params).toEqual({ key: KEY, model: "sandbox/chat", status: "FAILED", paid_by: "MIXED", from: "2026-03-01", to: "2026-03-04" });
    expect(toUsageFilter(parsed.params!)).toEqual({
      keyId: KEY,
      modelId: "sandbox/chat",
      status: "FAILED",
      paidBy: "MIXED",
      from: new Date("2026-03-01T00:00:00Z"),
      to: new Date("2026-03-05T00:00:00Z"),
    });
  });

  it("treats empty parameters (an empty select) as no filter", () => {
    expect(parseFilterParams(q("key=&model=&status=&paid_by=&from=&to="))).toMatchObject({ ok: true, params: {}, raw: {} });
    expect(parseFilterParams({ status: ["FAILED", "PARTIAL"] })).toMatchObject({ ok: true, params: { status: "FAILED" } });
  });

  it("reports each malformed filter with its parameter and keeps what was typed", () => {
    const parsed = parseFilterParams(q("key=garbage&status=nope&paid_by=card&from=2026-13-45&to=2026-02-31&model=sandbox/chat"));
    expect(parsed.ok).toBe(false);
    expect(parsed.params).toBeNull();
    expect(parsed.raw).toEqual({ key: "garbage", model: "sandbox/chat", status: "nope", paid_by: "card", from: "2026-13-45", to: "2026-02-31" });
    expect(parsed.problems).toEqual([
      { param: "key", message: "Key must be the id of one of your API keys, not “garbage”." },
      { param: "status", message: "Status must be SUCCEEDED, PARTIAL or FAILED, not “nope”." },
      { param: "paid_by", message: "Paid by must be BALANCE, SUBSCRIPTION or MIXED, not “card”." },
      { param: "from", message: "From must be a date like 2026-03-04, not “2026-13-45”." },
      { param: "to", message: "To must be a date like 2026-03-04, not “2026-02-31”." },
    ]);
  });

  it("refuses From after To instead of swapping or dropping them", () => {
    const parsed = parseFilterParams(q("from=2026-03-05&to=2026-03-04"));
    expect(parsed).toMatchObject({ ok: false, raw: { from: "2026-03-05", to: "2026-03-04" }, problems: [{ param: "from", message: "From must be on or before To." }] });
    expect(parseFilterParams(q("from=2026-03-04&to=2026-03-04")).ok).toBe(true);
  });

  it("refuses a model id too long to be one", () => {
    expect(parseFilterParams(q(`model=${"m".repeat(201)}`)).problems).toEqual([{ param: "model", message: "Model must be at most 200 characters." }]);
  });

  it("writes the filters back into a query string", () => {
    expect(filterQuery({ model: "sandbox/chat", status: "FAILED" }, { cursor: "abc" })).toBe("?model=sandbox%2Fchat&status=FAILED&cursor=abc");
    expect(filterQuery({})).toBe("");
  });
});

describe("GET /api/usage/requests query", () => {
  const error = (text: string) => {
    const parsed = parseRequestLogQuery(q(text));
    if (parsed.ok) throw new Error(`expected ${text} to be refused`);
    return { code: parsed.error.code, status: parsed.error.status, param: parsed.error.param, message: parsed.error.message };
  };

  it("answers 400 invalid_request naming the malformed parameter", () => {
    expect(error("key=garbage")).toMatchObject({ code: "invalid_request", status: 400, param: "key" });
    expect(error("from=2026-13-45")).toMatchObject({ status: 400, param: "from", message: "From must be a date like 2026-03-04, not “2026-13-45”." });
    expect(error("from=2026-03-05&to=2026-03-04")).toMatchObject({ param: "from" });
    expect(error("from_ts=yesterday")).toMatchObject({ param: "from_ts" });
    expect(error("to_ts=2026-03-04")).toMatchObject({ param: "to_ts" });
    expect(error("from_ts=2026-03-05T00:00:00Z&to_ts=2026-03-04T00:00:00Z")).toMatchObject({ param: "from_ts" });
    expect(error("limit=abc")).toMatchObject({ param: "limit" });
    expect(error("limit=0")).toMatchObject({ param: "limit" });
    expect(error("limit=500")).toMatchObject({ param: "limit" });
    expect(error("cursor=not-a-cursor")).toMatchObject({ param: "cursor" });
    expect(error(`cursor=${"a".repeat(201)}`)).toMatchObject({ param: "cursor" });
  });

  it("reads exact instants, the limit and our own cursors", () => {
    const cursor = encodeCursor({ createdAt: new Date("2026-03-04T10:00:00Z"), id: KEY });
    const parsed = parseRequestLogQuery(q(`key=${KEY}&from_ts=2026-03-04T00:00:00.000Z&to_ts=2026-03-05T00:00:00%2B00:00&limit=20&cursor=${cursor}`));
    expect(parsed).toEqual({
      ok: true,
      filter: { keyId: KEY, from: new Date("2026-03-04T00:00:00Z"), to: new Date("2026-03-05T00:00:00Z") },
      limit: 20,
      cursor,
    });
    expect(parseRequestLogQuery(q(""))).toMatchObject({ ok: true, limit: 50, filter: {} });
  });
});

describe("the dashboard's period", () => {
  const now = new Date("2026-11-27T12:00:00Z");

  it("defaults to the last 7 days and reads the presets", () => {
    const week = parseUsageRange({}, now);
    expect(week).toMatchObject({ ok: true, range: { preset: "7d", from: new Date("2026-11-20T12:00:00Z"), to: now, bucket: "day" } });
    expect(parseUsageRange({ range: "24h" }, now)).toMatchObject({ ok: true, range: { preset: "24h", bucket: "hour" } });
  });

  it("reads a custom range of whole days, both included", () => {
    const parsed = parseUsageRange({ from: "2026-03-01", to: "2026-03-04", bucket: "hour" }, now);
    expect(parsed).toMatchObject({
      ok: true,
      range: { preset: null, from: new Date("2026-03-01T00:00:00Z"), to: new Date("2026-03-05T00:00:00Z"), fromText: "2026-03-01", toText: "2026-03-04", bucket: "hour" },
    });
  });

  it("refuses From after To, keeping the dates as typed", () => {
    expect(parseUsageRange({ from: "2026-03-05", to: "2026-03-04" }, now)).toEqual({
      ok: false,
      range: null,
      raw: { from: "2026-03-05", to: "2026-03-04" },
      problems: [{ param: "from", message: "From must be on or before To." }],
    });
  });

  it(`refuses a range longer than ${MAX_RANGE_DAYS} days instead of cutting it short`, () => {
    const parsed = parseUsageRange({ from: "2020-01-01", to: "2026-11-27" }, now);
    expect(parsed.ok).toBe(false);
    expect(parsed.raw).toEqual({ from: "2020-01-01", to: "2026-11-27" });
    expect(parsed.ok ? [] : parsed.problems).toEqual([
      { param: "from", message: "Ranges can span at most 400 days; 2020-01-01 to 2026-11-27 is 2523 days. Choose a later From or an earlier To." },
    ]);
    expect(parseUsageRange({ from: "2025-10-24", to: "2026-11-27" }, now).ok).toBe(true); // exactly 400 days
    expect(parseUsageRange({ from: "2025-10-23", to: "2026-11-27" }, now).ok).toBe(false);
  });

  it("refuses half a range, a date that does not exist, and an unknown preset", () => {
    expect(parseUsageRange({ from: "2026-03-01" }, now)).toMatchObject({ ok: false, problems: [{ param: "to" }] });
    expect(parseUsageRange({ from: "2026-02-30", to: "2026-03-04" }, now)).toMatchObject({
      ok: false,
      problems: [{ param: "from", message: "From must be a date like 2026-03-04, not “2026-02-30”." }],
    });
    expect(parseUsageRange({ range: "1y" }, now)).toMatchObject({ ok: false, problems: [{ param: "range" }] });
  });

  it("draws ranges longer than two weeks by day whatever the bucket asked", () => {
    expect(parseUsageRange({ from: "2026-01-01", to: "2026-02-01", bucket: "hour" }, now)).toMatchObject({ ok: true, range: { bucket: "day" } });
  });
});
