"use server";

// Custom subscriptions on the admin customer page: create or edit one (lines of per-model access),
// and end a subscription now. Each parses the form, calls ONE admin verb, and maps an AppError to words.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { fieldError, type ActionResult, type FormState } from "@/components/admin/form-state";
import { endCustomerSubscription } from "@/lib/admin/end-customer-subscription";
import { saveCustomSubscriptionAsAdmin } from "@/lib/admin/save-custom-subscription";
import { requireAdmin } from "@/lib/auth/require-admin";
import type { CustomSubscriptionInput } from "@/lib/billing/subscriptions/custom-subscription";
import { isAppError } from "@/lib/errors";
import { clientIp } from "@/lib/http/client-ip";
import { parseUsdField, USD_INPUT_MAX_MICROS } from "@/lib/money";

const text = (form: FormData, name: string) => String(form.get(name) ?? "").trim();

type Line = CustomSubscriptionInput["lines"][number];

/** The form's line rows; a row left entirely empty is skipped. */
function readLines(form: FormData): Line[] | string {
  const count = Math.min(50, Number(text(form, "lineCount")) || 0);
  const lines: Line[] = [];
  for (let i = 0; i < count; i++) {
    const label = text(form, `line${i}.label`);
    const modelIds = form.getAll(`line${i}.models`).map(String).filter(Boolean);
    const unit = text(form, `line${i}.unit`) === "UNITS" ? "UNITS" : "MICROS";
    const limitText = text(form, `line${i}.limit`).replace(/,/g, "");
    const unlimited = form.get(`line${i}.unlimited`) === "on";
    const rateText = text(form, `line${i}.rate`).replace(/,/g, "");
    if (!label && modelIds.length === 0 && !limitText && !unlimited && !rateText) continue;
    const n = i + 1;
    if (!label) return `Line ${n}: give it a name, like "Images of model X".`;
    let limit: bigint | null = null;
    if (!unlimited) {
      if (!limitText) return `Line ${n}: enter a limit, or tick "Unlimited".`;
      if (unit === "MICROS") {
        // No schema limit on a line's dollars, so the field takes any amount lib/money parses.
        const invalid = "enter the usage limit in dollars, like 300.00.";
        const parsed = parseUsdField(limitText, { largest: "usage limit", maxMicros: USD_INPUT_MAX_MICROS, invalid });
        if (!parsed.ok) return fieldError(`Line ${n}`, parsed.error);
        if (parsed.micros === null || parsed.micros < 0n) return fieldError(`Line ${n}`, invalid);
        limit = parsed.micros;
      } else {
        if (!/^\d{1,12}$/.test(limitText)) return `Line ${n}: enter the count as a whole number, like 2000.`;
        limit = BigInt(limitText);
      }
    }
    let ratePerMinute: number | null = null;
    if (rateText) {
      if (!/^\d{1,6}$/.test(rateText) || Number(rateText) < 1) return `Line ${n}: the rate limit is a whole number of requests a minute, like 60.`;
      ratePerMinute = Number(rateText);
    }
    lines.push({ label, modelIds, unit, limit, ratePerMinute });
  }
  return lines;
}

export async function saveCustomSubscriptionAction(userId: string, _previous: FormState, form: FormData): Promise<FormState> {
  const admin = await requireAdmin();
  // A custom subscription's price has no schema limit, so the field takes any amount lib/money parses.
  const invalidPrice = "enter a dollar amount like 300.00.";
  const parsed = parseUsdField(text(form, "price"), { largest: "price", maxMicros: USD_INPUT_MAX_MICROS, invalid: invalidPrice });
  if (!parsed.ok) return { status: "error", error: fieldError("Price", parsed.error) };
  const price = parsed.micros;
  if (price === null || price < 0n) return { status: "error", error: fieldError("Price", invalidPrice) };
  const lines = readLines(form);
  if (typeof lines === "string") return { status: "error", error: lines };
  const subscriptionId = text(form, "subscriptionId");
  try {
    await saveCustomSubscriptionAsAdmin({
      ctx: admin,
      input: {
        subscriptionId: subscriptionId || undefined,
        userId,
        name: text(form, "name"),
        priceMicros: price,
        interval: text(form, "interval") === "YEAR" ? "YEAR" : "MONTH",
        balanceFallback: form.get("balanceFallback") === "on",
        lines,
      },
      ip: await clientIp(),
    });
  } catch (error) {
    if (isAppError(error)) return { status: "error", error: error.message };
    console.error("[admin] could not save the custom subscription", error);
    return { status: "error", error: "Something went wrong saving the subscription. Please try again." };
  }
  revalidatePath(`/admin/customers/${userId}`);
  redirect(`/admin/customers/${userId}?subscription=saved#subscriptions-heading`);
}

export async function endSubscriptionAction(userId: string, subscriptionId: string): Promise<ActionResult> {
  const admin = await requireAdmin();
  try {
    const { ended } = await endCustomerSubscription({ ctx: admin, input: { userId, subscriptionId, ip: await clientIp() } });
    revalidatePath(`/admin/customers/${userId}`);
    return ended ? { ok: true } : { ok: false, error: "This subscription had already ended." };
  } catch (error) {
    if (isAppError(error)) return { ok: false, error: error.message };
    console.error("[admin] could not end the subscription", error);
    return { ok: false, error: "Something went wrong. Please try again." };
  }
}
