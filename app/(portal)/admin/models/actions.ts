"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { fieldError, type FormState } from "@/components/admin/form-state";
import { saveModel } from "@/lib/admin/save-model";
import { saveProvider } from "@/lib/admin/save-provider";
import { PRICE_MAX_MICROS } from "@/lib/admin/schemas";
import { requireAdmin } from "@/lib/auth/require-admin";
import { isAppError } from "@/lib/errors";
import { parseUsdField } from "@/lib/money";

const text = (form: FormData, name: string) => String(form.get(name) ?? "").trim();
const orNull = (value: string) => (value === "" ? null : value);

const PRICE_LABELS: Record<string, string> = {
  inputPerMtokMicros: "Input price",
  outputPerMtokMicros: "Output price",
  perImageMicros: "Price per image",
  perTaskMicros: "Price per task",
};

function failure(error: unknown, what: string): FormState {
  if (isAppError(error)) return { status: "error", error: error.message };
  console.error(`[admin] could not save the ${what}`, error);
  return { status: "error", error: `Something went wrong saving the ${what}. Please try again.` };
}

export async function saveProviderAction(_previous: FormState, form: FormData): Promise<FormState> {
  const admin = await requireAdmin();
  const create = form.get("mode") === "create";
  const kind = text(form, "kind");
  const input = {
    id: text(form, "id"),
    name: text(form, "name"),
    kind: (["SANDBOX", "OPENAI_COMPATIBLE", "ANTHROPIC"].includes(kind) ? kind : "OPENAI_COMPATIBLE") as "SANDBOX" | "OPENAI_COMPATIBLE" | "ANTHROPIC",
    baseUrl: orNull(text(form, "baseUrl")),
    apiKeyEnv: orNull(text(form, "apiKeyEnv")),
    enabled: form.get("enabled") === "on",
  };
  try {
    await saveProvider({ ctx: admin, input, create });
  } catch (error) {
    return failure(error, "provider");
  }
  revalidatePath("/admin/models");
  redirect(`/admin/models?saved=${encodeURIComponent(`provider ${input.id}`)}`);
}

export async function saveModelAction(_previous: FormState, form: FormData): Promise<FormState> {
  const admin = await requireAdmin();
  const create = form.get("mode") === "create";
  const prices: Record<string, bigint | null> = {};
  for (const [field, label] of Object.entries(PRICE_LABELS)) {
    // Empty is no price; a negative one goes on to the schema, which says prices cannot be negative.
    const parsed = parseUsdField(text(form, field), { largest: "price", maxMicros: PRICE_MAX_MICROS, invalid: "enter a dollar amount like 0.50 (up to six decimals)." });
    if (!parsed.ok) return { status: "error", error: fieldError(label, parsed.error) };
    prices[field] = parsed.micros;
  }
  const ints: Record<string, number | null> = {};
  for (const [field, label] of [["contextWindow", "Context window"], ["maxOutputTokens", "Max output tokens"]] as const) {
    const raw = text(form, field).replace(/,/g, "");
    if (raw === "") ints[field] = null;
    else if (/^\d{1,9}$/.test(raw) && Number(raw) > 0) ints[field] = Number(raw);
    else return { status: "error", error: `${label}: enter a whole number of tokens, like 128000.` };
  }
  const type = text(form, "type");
  const input = {
    id: text(form, "id"),
    type: (["CHAT", "EMBEDDING", "IMAGE", "VIDEO", "MUSIC"].includes(type) ? type : "CHAT") as "CHAT" | "EMBEDDING" | "IMAGE" | "VIDEO" | "MUSIC",
    providerId: text(form, "providerId"),
    upstreamModel: text(form, "upstreamModel"),
    displayName: text(form, "displayName"),
    description: text(form, "description"),
    inputPerMtokMicros: prices.inputPerMtokMicros ?? null,
    outputPerMtokMicros: prices.outputPerMtokMicros ?? null,
    perImageMicros: prices.perImageMicros ?? null,
    perTaskMicros: prices.perTaskMicros ?? null,
    contextWindow: ints.contextWindow ?? null,
    maxOutputTokens: ints.maxOutputTokens ?? null,
    enabled: form.get("enabled") === "on",
    fallbackProviderId: orNull(text(form, "fallbackProviderId")),
    fallbackUpstreamModel: orNull(text(form, "fallbackUpstreamModel")),
  };
  try {
    await saveModel({ ctx: admin, input, create });
  } catch (error) {
    return failure(error, "model");
  }
  revalidatePath("/admin/models");
  redirect(`/admin/models/model?id=${encodeURIComponent(input.id)}&saved=1`);
}
