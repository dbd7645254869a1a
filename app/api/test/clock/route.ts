// POST /api/test/clock — moves this instance's application clock (test runs only; 404 otherwise)
import { setClockOffset, testClockEnabled } from "@/lib/clock";

export const dynamic = "force-dynamic";

export async function POST(req: Request) {
  if (!testClockEnabled()) return Response.json({ error: "not found" }, { status: 404 });
  const body = (await req.json().catch(() => null)) as { offset_ms?: unknown } | null;
  const offset = body?.offset_ms;
  if (typeof offset !== "number" || !Number.isFinite(offset)) return Response.json({ error: "offset_ms must be a number" }, { status: 400 });
  setClockOffset(offset);
  return Response.json({ offset_ms: offset, now: new Date(Date.now() + offset).toISOString() });
}
