// The request log's filters as URL parameters (?key=&model=&status=&paid_by=&from=YYYY-MM-DD&to=YYYY-MM-DD), shared
// by the log page, its JSON route and the CSV export so that one URL always means the same rows.
import { PaidBy, UsageStatus, type UsageFilter } from "./schemas";

export interface FilterParams {
  key?: string;
  model?: string;
  status?: string;
  /** BALANCE | SUBSCRIPTION | MIXED */
  paid_by?: string;
  from?: string;
  to?: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function first(value: string | string[] | null | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v && v.length <= 200 ? v.trim() || undefined : undefined;
}

/** Reads the parameters leniently: anything malformed is dropped rather than failing the page. */
export function readFilterParams(source: URLSearchParams | Record<string, string | string[] | undefined>): FilterParams {
  const get = (name: string) => first(source instanceof URLSearchParams ? source.get(name) : source[name]);
  const from = get("from");
  const to = get("to");
  const key = get("key");
  const status = get("status");
  const paidBy = get("paid_by");
  return {
    key: key && UUID.test(key) ? key : undefined,
    model: get("model"),
    status: status && UsageStatus.safeParse(status).success ? status : undefined,
    paid_by: paidBy && PaidBy.safeParse(paidBy).success ? paidBy : undefined,
    from: from && DAY.test(from) && !Number.isNaN(Date.parse(from)) ? from : undefined,
    to: to && DAY.test(to) && !Number.isNaN(Date.parse(to)) ? to : undefined,
  };
}

/** Dates are whole UTC days, both ends included: to=2026-03-04 means "before 2026-03-05T00:00Z". */
export function toUsageFilter(params: FilterParams): UsageFilter {
  const to = params.to ? new Date(`${params.to}T00:00:00.000Z`) : undefined;
  if (to) to.setUTCDate(to.getUTCDate() + 1);
  return {
    keyId: params.key,
    modelId: params.model,
    status: params.status ? UsageStatus.parse(params.status) : undefined,
    paidBy: params.paid_by ? PaidBy.parse(params.paid_by) : undefined,
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
