"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import type { FormState } from "@/components/admin/form-state";
import { savePlan } from "@/lib/admin/save-plan";
import { requireAdmin } from "@/lib/auth/require-admin";
import { isAppError } from "@/lib/errors";
import { tryParseUsd } from "@/lib/money";

const text = (form: FormData, name: string) => String(form.get(name) ?? "").trim();

/** "" → null; a whole number → it; anything else → "invalid". */
function count(form: FormData, name: string): number | null | "invalid" {
  const raw = text(form, name).replace(/,/g, "");
  if (raw === "") return null;
  return /^\d{1,9}$/.test(raw) ? Number(raw) : "invalid";
}

/** Create or edit a plan: dollars parsed with lib/money, then ONE verb (which checks the rest with zod). */
export async function savePlanAction(_previous: FormState, form: FormData): Promise<FormState> {
  const admin = await requireAdmin();
  const price = tryParseUsd(text(form, "price").replace(/,/g, ""));
  if (price === null || price < 0n) return { status: "error", error: "Price: enter a dollar amount like 9.00 (up to six decimals)." };
  const allowance = tryParseUsd(text(form, "allowance").replace(/,/g, ""));
  if (allowance === null || allowance < 0n) return { status: "error", error: "Included usage: enter a dollar amount like 10.00 (up to six decimals)." };
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
