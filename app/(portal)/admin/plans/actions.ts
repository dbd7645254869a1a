"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { fieldError, type FormState } from "@/components/admin/form-state";
import { savePlan } from "@/lib/admin/save-plan";
import { PRICE_MAX_MICROS } from "@/lib/admin/schemas";
import { requireAdmin } from "@/lib/auth/require-admin";
import { isAppError } from "@/lib/errors";
import { parseUsdField } from "@/lib/money";

const text = (form: FormData, name: string) => String(form.get(name) ?? "").trim();

/** "" → null; a whole number → it; anything else → "invalid". */
function count(form: FormData, name: string): number | null | "invalid" {
  const raw = text(form, name).replace(/,/g, "");
  if (raw === "") return null;
  return /^\d{1,9}$/.test(raw) ? Number(raw) : "invalid";
}

/** A plan's dollar field, which it needs filled in; or the message, naming the field, saying what is wrong. */
function dollars(form: FormData, name: string, label: string, example: string): bigint | { error: string } {
  const invalid = `enter a dollar amount like ${example} (up to six decimals).`;
  const parsed = parseUsdField(text(form, name), { largest: label.toLowerCase(), maxMicros: PRICE_MAX_MICROS, invalid });
  if (!parsed.ok) return { error: fieldError(label, parsed.error) };
  if (parsed.micros === null || parsed.micros < 0n) return { error: fieldError(label, invalid) };
  return parsed.micros;
}

/** Create or edit a plan: dollars parsed with lib/money, then ONE verb (which checks the rest with zod). */
export async function savePlanAction(_previous: FormState, form: FormData): Promise<FormState> {
  const admin = await requireAdmin();
  const price = dollars(form, "price", "Price", "9.00");
  if (typeof price !== "bigint") return { status: "error", error: price.error };
  const allowance = dollars(form, "allowance", "Included usage", "10.00");
  if (typeof allowance !== "bigint") return { status: "error", error: allowance.error };
  const images = count(form, "imageAllowance");
  if (images === "invalid") return { status: "error", error: "Images: enter a whole number, or leave it empty." };
  const tasks = count(form, "taskAllowance");
  if (tasks === "invalid") return { status: "error", error: "Tasks: enter a whole number, or leave it empty." };
  const id = text(form, "id");
  const stripePriceId = text(form, "stripePriceId");
  const interval = text(form, "interval") === "YEAR" ? "YEAR" : "MONTH";
  let saved: { id: string; name: string };
  try {
    saved = await savePlan({
      ctx: admin,
      input: {
        id: id || undefined,
        slug: text(form, "slug"),
        name: text(form, "name"),
        description: text(form, "description"),
        interval,
        priceMicros: price,
        allowanceMicros: allowance,
        modelIds: form.getAll("modelIds").map(String).filter(Boolean),
        imageAllowance: images,
        taskAllowance: tasks,
        overageToBalance: form.get("overageToBalance") === "on",
        stripePriceId: stripePriceId || null,
        active: form.get("active") === "on",
      },
    });
  } catch (error) {
    if (isAppError(error)) return { status: "error", error: error.message };
    console.error("[admin] could not save the plan", error);
    return { status: "error", error: "Something went wrong saving the plan. Please try again." };
  }
  revalidatePath("/admin/plans");
  revalidatePath("/plans");
  redirect(`/admin/plans?saved=${encodeURIComponent(saved.name)}`);
}
