import type { AuditFilter } from "@/lib/admin/schemas";

export type AuditSearch = { action?: string; actor?: string; target?: string; from?: string; to?: string; before?: string };

const day = (text: string | undefined, plus = 0) => {
  if (!text || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const d = new Date(`${text}T00:00:00.000Z`);
  if (Number.isNaN(d.getTime())) return undefined;
  return new Date(d.getTime() + plus * 86_400_000);
};

/** The page's query string → the verb's filter ("to" includes that whole day, UTC). */
export function toFilter(s: AuditSearch): AuditFilter {
  return {
    action: s.action || undefined,
    actor: s.actor || undefined,
    target: s.target || undefined,
    from: day(s.from),
    to: day(s.to, 1),
    before: s.before && /^\d{1,19}$/.test(s.before) ? BigInt(s.before) : undefined,
  };
}
