// GET /admin/audit/export — the filtered audit log as CSV (admins only; anyone else gets 404)
import { auditCsv } from "@/lib/audit/audit-csv";
import { listAudit } from "@/lib/audit/list-audit";
import { getAdminUser } from "@/lib/auth/require-admin";
import { toFilter } from "../filters";

export async function GET(req: Request) {
  const admin = await getAdminUser();
  if (!admin) return new Response("Not found", { status: 404, headers: { "content-type": "text/plain" } });
  const params = Object.fromEntries(new URL(req.url).searchParams);
  const { events } = await listAudit({ ctx: admin, input: { ...toFilter(params), before: undefined, limit: 10_000 } });
  const stamp = new Date().toISOString().slice(0, 10);
  return new Response(auditCsv(events), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="meterway-audit-${stamp}.csv"`,
      "cache-control": "no-store",
    },
  });
}
