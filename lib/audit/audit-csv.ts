// The audit log as CSV (RFC 4180), for the export download.
type Row = {
  id: bigint;
  createdAt: Date;
  actorId: string | null;
  actorLabel: string;
  action: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
};

function cell(value: unknown): string {
  const text = value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
  // A leading =, +, - or @ would be a formula in a spreadsheet: prefix it with a quote.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const AUDIT_CSV_HEADER = ["id", "created_at", "actor_id", "actor", "action", "target_type", "target_id", "before", "after", "ip"];

export function auditCsvLine(e: Row): string {
  return [e.id.toString(), e.createdAt.toISOString(), e.actorId, e.actorLabel, e.action, e.targetType, e.targetId, e.before, e.after, e.ip].map(cell).join(",") + "\r\n";
}

export function auditCsv(rows: Row[]): string {
  return AUDIT_CSV_HEADER.join(",") + "\r\n" + rows.map(auditCsvLine).join("");
}
