// POST /api/webhooks/stripe — verify the signature on the raw body, record the event, credit once
import { AppError, isAppError } from "@/lib/errors";
import { handleStripeWebhook } from "@/lib/billing/webhooks";

export const dynamic = "force-dynamic";

export async function POST(req: Request) {
  const raw = await req.text();
  try {
    const result = await handleStripeWebhook(raw, req.headers.get("stripe-signature"));
    return Response.json(result);
  } catch (error) {
    if (isAppError(error)) return Response.json({ error: error.message }, { status: error.status });
    console.error("[webhooks/stripe] handler failed:", error);
    // Non-2xx makes Stripe retry later; the event id is recorded, the handlers are idempotent.
    return Response.json({ error: new AppError("internal_error", "processing failed; will retry").message }, { status: 500 });
  }
}
