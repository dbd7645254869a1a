"use server";

import { revalidatePath } from "next/cache";
import { requireUser } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { createKey } from "@/lib/keys/create-key";
import { revokeKey } from "@/lib/keys/revoke-key";
import { rotateKey } from "@/lib/keys/rotate-key";
import { RotateGrace, SPEND_LIMIT_MAX_MICROS } from "@/lib/keys/schemas";
import { updateKey } from "@/lib/keys/update-key";
import { parseUsdField } from "@/lib/money";

export type KeyField = "name" | "environment" | "spendLimit" | "spendLimitPeriod" | "rateLimit" | "allowedModels" | "expiresAt";

export type CreateKeyResult =
  | { status: "created"; key: string; name: string }
  | { status: "error"; fieldErrors: Partial<Record<KeyField, string>>; formError?: string };

export type UpdateKeyResult = { status: "updated" } | { status: "error"; fieldErrors: Partial<Record<KeyField, string>>; formError?: string };

const GENERIC = "Something went wrong. Please try again.";

/** The lib's param names → the form's field names. */
const PARAM_TO_FIELD: Record<string, KeyField> = {
  name: "name",
  environment: "environment",
  spendLimitMicros: "spendLimit",
  spendLimitPeriod: "spendLimitPeriod",
  rateLimitPerMinute: "rateLimit",
  allowedModels: "allowedModels",
  expiresAt: "expiresAt",
};

const PERIODS = ["NONE", "DAILY", "WEEKLY", "MONTHLY"] as const;

/** The fields the create and edit forms share, parsed with friendly messages. */
function parseKeySettings(formData: FormData, { requireFutureExpiry }: { requireFutureExpiry: boolean }) {
  const fieldErrors: Partial<Record<KeyField, string>> = {};

  const name = String(formData.get("name") ?? "").trim();
  if (!name) fieldErrors.name = "Give the key a name.";
  else if (name.length > 80) fieldErrors.name = "Keep the name under 80 characters.";

  let spendLimitMicros: bigint | null = null;
  const spendLimit = parseUsdField(String(formData.get("spendLimit") ?? ""), {
    largest: "spend limit",
    maxMicros: SPEND_LIMIT_MAX_MICROS,
    invalid: "Enter an amount in dollars, like 25 or 25.50.",
  });
  if (!spendLimit.ok) fieldErrors.spendLimit = spendLimit.error;
  else if (spendLimit.micros !== null && spendLimit.micros <= 0n) fieldErrors.spendLimit = "The spend limit must be more than $0.";
  else spendLimitMicros = spendLimit.micros;
  const periodText = String(formData.get("spendLimitPeriod") ?? "NONE");
  const spendLimitPeriod = PERIODS.find((p) => p === periodText) ?? "NONE";

  let rateLimitPerMinute: number | null = null;
  const rateLimit = String(formData.get("rateLimit") ?? "").trim();
  if (rateLimit) {
    rateLimitPerMinute = /^\d{1,7}$/.test(rateLimit) ? Number(rateLimit) : null;
    if (rateLimitPerMinute === null || rateLimitPerMinute < 1) fieldErrors.rateLimit = "Enter a whole number of requests per minute, like 60.";
    else if (rateLimitPerMinute > 1_000_000) fieldErrors.rateLimit = "Keep the rate limit at or under 1,000,000 requests a minute.";
  }

  const allowedModels = formData.getAll("allowedModels").map(String).filter(Boolean);

  let expiresAt: Date | null = null;
  const expiry = String(formData.get("expiresAt") ?? "").trim();
  if (expiry) {
    // A date input gives "YYYY-MM-DD"; the key works until the end of that day (UTC).
    expiresAt = /^\d{4}-\d{2}-\d{2}$/.test(expiry) ? new Date(`${expiry}T23:59:59.999Z`) : null;
    if (!expiresAt || Number.isNaN(expiresAt.getTime())) fieldErrors.expiresAt = "Pick a valid date.";
    else if (requireFutureExpiry && expiresAt.getTime() <= Date.now()) fieldErrors.expiresAt = "The expiry date must be in the future.";
  }
  return { fieldErrors, settings: { name, spendLimitMicros, spendLimitPeriod, rateLimitPerMinute, allowedModels, expiresAt } };
}

function toFormError(error: unknown, what: string): { status: "error"; fieldErrors: Partial<Record<KeyField, string>>; formError?: string } {
  if (isAppError(error)) {
    const field = error.param ? PARAM_TO_FIELD[error.param] : undefined;
    return field ? { status: "error", fieldErrors: { [field]: error.message } } : { status: "error", fieldErrors: {}, formError: error.message };
  }
  console.error(`[keys] could not ${what}`, error);
  return { status: "error", fieldErrors: {}, formError: GENERIC };
}

/** Creates a key and hands its secret back to the browser once; it is not kept anywhere else. */
export async function createKeyAction(formData: FormData): Promise<CreateKeyResult> {
  const user = await requireUser();
  const { fieldErrors, settings } = parseKeySettings(formData, { requireFutureExpiry: true });
  const environment = formData.get("environment") === "PRODUCTION" ? "PRODUCTION" : "DEVELOPMENT";
  if (Object.keys(fieldErrors).length) return { status: "error", fieldErrors };
  try {
    const { key, record } = await createKey({ ctx: { userId: user.userId }, input: { ...settings, environment } });
    revalidatePath("/keys");
    return { status: "created", key, name: record.name };
  } catch (error) {
    return toFormError(error, "create a key");
  }
}

/** Saves a key's name and limits (updateKey checks that the key is this user's). */
export async function updateKeyAction(id: string, formData: FormData): Promise<UpdateKeyResult> {
  const user = await requireUser();
  // The edit form may keep an expiry that has passed; updateKey refuses only a newly chosen past date.
  const { fieldErrors, settings } = parseKeySettings(formData, { requireFutureExpiry: false });
  if (Object.keys(fieldErrors).length) return { status: "error", fieldErrors };
  try {
    await updateKey({ ctx: { userId: user.userId }, input: { id: String(id), ...settings } });
  } catch (error) {
    return toFormError(error, "update a key");
  }
  revalidatePath("/keys");
  return { status: "updated" };
}

export type RotateKeyResult = { ok: true; key: string; name: string } | { ok: false; error: string };

/** Issues a new secret for a key; the old one stops after the chosen grace period. */
export async function rotateKeyAction(id: string, grace: string): Promise<RotateKeyResult> {
  const user = await requireUser();
  const parsedGrace = RotateGrace.safeParse(grace);
  if (!parsedGrace.success) return { ok: false, error: "Choose how long the old key keeps working." };
  try {
    const { key, record } = await rotateKey({ ctx: { userId: user.userId }, input: { id: String(id), grace: parsedGrace.data } });
    revalidatePath("/keys");
    return { ok: true, key, name: record.name };
  } catch (error) {
    if (isAppError(error)) return { ok: false, error: error.message };
    console.error("[keys] could not rotate a key", error);
    return { ok: false, error: GENERIC };
  }
}

export type RevokeKeyResult = { ok: true } | { ok: false; error: string };

export async function revokeKeyAction(id: string): Promise<RevokeKeyResult> {
  const user = await requireUser();
  try {
    // revokeKey only finds the key among this user's own, so the id from the browser is safe to use.
    await revokeKey({ ctx: { userId: user.userId }, input: { id: String(id) } });
  } catch (error) {
    if (isAppError(error)) return { ok: false, error: error.message };
    console.error("[keys] could not revoke a key", error);
    return { ok: false, error: GENERIC };
  }
  revalidatePath("/keys");
  return { ok: true };
}
