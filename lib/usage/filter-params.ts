// The usage filters as URL parameters, shared by the pages, the JSON route and the CSV export so that one URL
// always means the same rows. A malformed filter is never dropped or replaced (that would quietly show other
// rows than the URL asks for): the pages show what is wrong beside their form, the routes answer 400.
//   request log, JSON, CSV: ?key=&model=&status=&paid_by=&from=YYYY-MM-DD&to=YYYY-MM-DD
//   dashboard:              ?range=24h|7d|30d|90d or ?from=&to= (both), with &bucket=hour|day
import { AppError } from "@/lib/errors";
import { decodeCursor } from "./cursor";
import { UsageDay, UsageFilterQuery, shown, type UsageFilter } from "./schemas";

export interface FilterParams {
  key?: string;
  model?: string;
  status?: string;
  /** BALANCE | SUBSCRIPTION | MIXED */
  paid_by?: string;
  from?: string;
  to?: string;
}

/** One thing wrong with a URL's filters: the parameter, and a sentence for the person who sent it. */
export interface FilterProblem {
  param: string;
  message: string;
}

type Source = URLSearchParams | Record<string, string | string[] | undefined>;

/** A parameter as given (trimmed; the first when repeated); empty means absent, as an empty select submits it. */
function reader(source: Source) {
  return (name: string): string | undefined => {
    const value = source instanceof URLSearchParams ? source.get(name) : source[name];
    const one = Array.isArray(value) ? value[0] : value;
    return one?.trim() || undefined;
  };
}

function problemsOf(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): FilterProblem[] {
  const seen = new Set<string>();
  const problems: FilterProblem[] = [];
  for (const issue of issues) {
    const param = String(issue.path[0] ?? "");
    if (seen.has(param)) continue;
    seen.add(param);
    problems.push({ param, message: issue.message });
  }
  return problems;
}

export type ParsedFilterParams =
  | { ok: true; raw: FilterParams; params: FilterParams; problems: [] }
  | { ok: false; raw: FilterParams; params: null; problems: FilterProblem[] };

/**
 * The request log's filters. `raw` is what the URL said (for the form to show back as typed); `params`, when
 * every filter is well-formed, the normalized filters (status and payer in upper case).
 */
export function parseFilterParams(source: Source): ParsedFilterParams {
  const get = reader(source);
  const raw: FilterParams = {};
  for (const name of ["key", "model", "status", "paid_by", "from", "to"] as const) {
    const value = get(name);
    if (value !== undefined) raw[name] = value;
  }
  const parsed = UsageFilterQuery.safeParse(raw);
  if (!parsed.success) return { ok: false, raw, params: null, problems: problemsOf(parsed.error.issues) };
  const params: FilterParams = {};
  for (const [name, value] of Object.entries(parsed.data)) if (value !== undefined) params[name as keyof FilterParams] = value;
  return { ok: true, raw, params, problems: [] };
}

/** The first problem as the API's 400 (`invalid_request`, `param` naming the parameter). */
export function filterError(problems: FilterProblem[]): AppError {
  const first = problems[0] ?? { param: "", message: "The filters are not valid." };
  return new AppError("invalid_request", first.message, { param: first.param || null });
}

/** Dates are whole UTC days, both ends included: to=2026-03-04 means "before 2026-03-05T00:00Z". */
export function toUsageFilter(params: FilterParams): UsageFilter {
  const to = params.to ? new Date(`${params.to}T00:00:00.000Z`) : undefined;
  if (to) to.setUTCDate(to.getUTCDate() + 1);
  return {
    keyId: params.key,
    modelId: params.model,
    status: params.status as UsageFilter["status"],
    paidBy: params.paid_by as UsageFilter["paidBy"],
    from: params.from ? new Date(`${params.from}T00:00:00.000Z`) : undefined,
    to,
  };
}

export function filterQuery(params: FilterParams, extra: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...params, ...extra })) if (value) q.set(name, value);
  const text = q.toString();
  return text ? `?${text}` : "";
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export type ParsedRequestLogQuery = { ok: true; filter: UsageFilter; limit: number; cursor?: string } | { ok: false; error: AppError };

/**
 * GET /api/usage/requests' query: the filters, plus `from_ts`/`to_ts` (exact ISO 8601 instants, which replace
 * `from`/`to`: a ledger line's requests), `limit` (1–200, default 50) and `cursor`. A malformed parameter is
 * `invalid_request` naming it (the first one).
 */
export function parseRequestLogQuery(search: URLSearchParams): ParsedRequestLogQuery {
  const invalid = (param: string, message: string) => ({ ok: false as const, error: new AppError("invalid_request", message, { param }) });
  const parsed = parseFilterParams(search);
  if (!parsed.ok) return { ok: false, error: filterError(parsed.problems) };
  const filter = toUsageFilter(parsed.params);
  const get = reader(search);

  for (const name of ["from_ts", "to_ts"] as const) {
    const text = get(name);
    if (text === undefined) continue;
    const at = new Date(text);
    if (!ISO_INSTANT.test(text) || Number.isNaN(at.getTime())) return invalid(name, `${name} must be an ISO 8601 time like 2026-03-04T00:00:00Z, not “${shown(text)}”.`);
    filter[name === "from_ts" ? "from" : "to"] = at;
  }
  if (filter.from && filter.to && filter.from > filter.to) {
    return invalid(get("from_ts") !== undefined ? "from_ts" : "to_ts", "The range's start must be before its end.");
  }

  const limitText = get("limit");
  const limit = limitText === undefined ? 50 : /^\d{1,3}$/.test(limitText) ? Number(limitText) : NaN;
  if (!(limit >= 1 && limit <= 200)) return invalid("limit", `limit must be a whole number from 1 to 200, not “${shown(limitText)}”.`);

  const cursor = get("cursor");
  if (cursor !== undefined) {
    try {
      if (cursor.length > 200) throw new Error("too long");
      decodeCursor(cursor);
    } catch {
      return invalid("cursor", "That page link is no longer valid.");
    }
  }
  return { ok: true, filter, limit, cursor };
}

// The dashboard's period.

export const USAGE_PRESETS = {
  "24h": { label: "24 hours", ms: 24 * 3_600_000 },
  "7d": { label: "7 days", ms: 7 * 86_400_000 },
  "30d": { label: "30 days", ms: 30 * 86_400_000 },
  "90d": { label: "90 days", ms: 90 * 86_400_000 },
} as const;
export type UsagePreset = keyof typeof USAGE_PRESETS;
const PRESET_NAMES = Object.keys(USAGE_PRESETS) as UsagePreset[];

/** The longest custom range the dashboard draws (one bar per day; the summary reads every record in it). */
export const MAX_RANGE_DAYS = 400;
/** Hourly bars up to this span; longer ranges are drawn by day. */
export const MAX_HOURLY_DAYS = 14;

const DAY_MS = 86_400_000;

export interface UsageRange {
  from: Date;
  /** Exclusive. */
  to: Date;
  preset: UsagePreset | null;
  bucket: "hour" | "day";
  /** The first and the last day shown, as the date inputs write them. */
  fromText: string;
  toText: string;
}

export type ParsedUsageRange =
  | { ok: true; range: UsageRange; raw: { from?: string; to?: string } }
  | { ok: false; range: null; raw: { from?: string; to?: string }; problems: FilterProblem[] };

/**
 * The dashboard's period: a preset (`range`, default the last 7 days), or whole UTC days `from`–`to` (both
 * included, both required, at most MAX_RANGE_DAYS days). A malformed period is a problem to show, never
 * another period in its place.
 */
export function parseUsageRange(source: Source, now: Date = new Date()): ParsedUsageRange {
  const get = reader(source);
  const raw = { from: get("from"), to: get("to") };
  const problems: FilterProblem[] = [];
  const wanted = get("bucket");
  let from: Date;
  let to: Date;
  let preset: UsagePreset | null = null;

  if (raw.from !== undefined || raw.to !== undefined) {
    if (raw.from === undefined) problems.push({ param: "from", message: "Choose a From date as well as a To date." });
    if (raw.to === undefined) problems.push({ param: "to", message: "Choose a To date as well as a From date." });
    for (const [param, label] of [["from", "From"], ["to", "To"]] as const) {
      const text = raw[param];
      if (text === undefined) continue;
      const day = UsageDay(label).safeParse(text);
      if (!day.success) problems.push({ param, message: day.error.issues[0]?.message ?? `${label} is not a date.` });
    }
    if (problems.length) return { ok: false, range: null, raw, problems };
    from = new Date(`${raw.from}T00:00:00.000Z`);
    to = new Date(`${raw.to}T00:00:00.000Z`);
    to.setUTCDate(to.getUTCDate() + 1);
    if (from >= to) return { ok: false, range: null, raw, problems: [{ param: "from", message: "From must be on or before To." }] };
    const days = Math.round((to.getTime() - from.getTime()) / DAY_MS);
    if (days > MAX_RANGE_DAYS) {
      const message = `Ranges can span at most ${MAX_RANGE_DAYS} days; ${raw.from} to ${raw.to} is ${days} days. Choose a later From or an earlier To.`;
      return { ok: false, range: null, raw, problems: [{ param: "from", message }] };
    }
  } else {
    const name = get("range") ?? "7d";
    if (!(PRESET_NAMES as string[]).includes(name)) {
      const list = PRESET_NAMES.map((p) => USAGE_PRESETS[p].label).join(", ");
      return { ok: false, range: null, raw, problems: [{ param: "range", message: `The period must be one of ${list}, not “${shown(name)}”.` }] };
    }
    preset = name as UsagePreset;
    to = now;
    from = new Date(now.getTime() - USAGE_PRESETS[preset].ms);
  }

  const span = to.getTime() - from.getTime();
  // Hourly bars over weeks would be thousands of bars: past MAX_HOURLY_DAYS the Group-by control shows Daily chosen.
  const bucket: "hour" | "day" =
    span > MAX_HOURLY_DAYS * DAY_MS ? "day" : wanted === "hour" || wanted === "day" ? wanted : span <= 2 * DAY_MS ? "hour" : "day";
  const range: UsageRange = {
    from,
    to,
    preset,
    bucket,
    fromText: from.toISOString().slice(0, 10),
    toText: new Date(to.getTime() - 1).toISOString().slice(0, 10),
  };
  return { ok: true, range, raw };
}
