// GET /api/payments/export — the signed-in user's payment history as a CSV download
import { getSessionUser } from "@/lib/auth/session";
import { exportPaymentsCsv } from "@/lib/payments/export-payments";

export const dynamic = "force-dynamic";

export async function GET() {
  const user = await getSessionUser();
  if (!user) return Response.json({ error: "Sign in to download your payments." }, { status: 401 });
  const csv = await exportPaymentsCsv({ ctx: { userId: user.userId } });
  return new Response(csv, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="meterway-payments-${new Date().toISOString().slice(0, 10)}.csv"`,
      "cache-control": "no-store",
    },
  });
}
