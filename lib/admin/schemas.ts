// Inputs of the admin verbs. Money arrives already parsed into micros (lib/money parseUsdField at the edge).
import { z } from "zod";
import { aModelOf, capitalized } from "@/lib/text";

/** The largest model price, plan price or plan allowance: $1,000,000. The admin forms name it when refusing more. */
export const PRICE_MAX_MICROS = 1_000_000_000_000n;

const micros = z.bigint().min(0n, "Prices cannot be negative").max(PRICE_MAX_MICROS, "That price is too large");
const optionalInt = (max: number) => z.number().int().positive().max(max).nullable();

export const ProviderInput = z.object({
  id: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "Use lowercase letters, digits and dashes, like openai or my-provider"),
  name: z.string().trim().min(1, "Give the provider a name").max(80),
  kind: z.enum(["SANDBOX", "OPENAI_COMPATIBLE", "ANTHROPIC"]),
  baseUrl: z
    .string()
    .trim()
    .max(500)
    .nullable()
    .refine((v) => v === null || /^https?:\/\/[^\s]+$/.test(v), "Enter a URL starting with http:// or https://"),
  apiKeyEnv: z
    .string()
    .trim()
    .nullable()
    .refine((v) => v === null || /^[A-Z][A-Z0-9_]{0,127}$/.test(v), "Name an environment variable, like OPENAI_API_KEY (never the secret itself)"),
  enabled: z.boolean(),
});
export type ProviderInput = z.input<typeof ProviderInput>;

type PriceField = "inputPerMtokMicros" | "outputPerMtokMicros" | "perImageMicros" | "perTaskMicros";
const PRICE_NAMES: [PriceField, string][] = [
  ["inputPerMtokMicros", "per input token"],
  ["outputPerMtokMicros", "per output token"],
  ["perImageMicros", "per image"],
  ["perTaskMicros", "per task"],
];

export const ModelInput = z
  .object({
    id: z
      .string()
      .trim()
      .regex(/^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/i, "Use letters, digits, dots, dashes and slashes, like openai/gpt-4o-mini")
      .max(120),
    type: z.enum(["CHAT", "EMBEDDING", "IMAGE", "VIDEO", "MUSIC"]),
    providerId: z.string().min(1, "Choose a provider"),
    upstreamModel: z.string().trim().min(1, "Name the provider's model").max(200),
    displayName: z.string().trim().min(1, "Give the model a display name").max(120),
    description: z.string().trim().max(1000).default(""),
    inputPerMtokMicros: micros.nullable(),
    outputPerMtokMicros: micros.nullable(),
    perImageMicros: micros.nullable(),
    perTaskMicros: micros.nullable(),
    contextWindow: optionalInt(10_000_000),
    maxOutputTokens: optionalInt(10_000_000),
    enabled: z.boolean(),
    /** A second provider to call when the first fails before any output, and its name for the model. */
    fallbackProviderId: z.string().min(1).nullable().default(null),
    fallbackUpstreamModel: z.string().trim().min(1).max(200).nullable().default(null),
  })
  .superRefine((m, ctx) => {
    const need = (field: PriceField, what: string) => {
      if (m[field] === null) ctx.addIssue({ code: "custom", path: [field], message: `${capitalized(aModelOf(m.type))} needs ${what}` });
    };
    if (m.type === "CHAT") {
      need("inputPerMtokMicros", "an input price");
      need("outputPerMtokMicros", "an output price");
    }
    if (m.type === "EMBEDDING") need("inputPerMtokMicros", "an input price");
    if (m.type === "IMAGE") need("perImageMicros", "a price per image");
    if (m.type === "VIDEO" || m.type === "MUSIC") need("perTaskMicros", "a price per task");
    // A price the model's type is never charged by would be shown to customers as if it were.
    const USED: Record<typeof m.type, PriceField[]> = {
      CHAT: ["inputPerMtokMicros", "outputPerMtokMicros"],
      EMBEDDING: ["inputPerMtokMicros"],
      IMAGE: ["perImageMicros"],
      VIDEO: ["perTaskMicros"],
      MUSIC: ["perTaskMicros"],
    };
    for (const [field, what] of PRICE_NAMES) {
      if (m[field] !== null && !USED[m.type].includes(field)) {
        ctx.addIssue({ code: "custom", path: [field], message: `${capitalized(aModelOf(m.type))} is not charged ${what}: leave it empty` });
      }
    }
    if (m.fallbackProviderId !== null && m.fallbackUpstreamModel === null) {
      ctx.addIssue({ code: "custom", path: ["fallbackUpstreamModel"], message: "Name the fallback provider's model" });
    }
    if (m.fallbackProviderId === null && m.fallbackUpstreamModel !== null) {
      ctx.addIssue({ code: "custom", path: ["fallbackProviderId"], message: "Choose the fallback provider" });
    }
  });
export type ModelInput = z.input<typeof ModelInput>;

export const AuditFilter = z.object({
  action: z.string().trim().max(80).optional(),
  actor: z.string().trim().max(320).optional(),
  target: z.string().trim().max(200).optional(),
  from: z.date().optional(),
  to: z.date().optional(),
  /** Events with an id below this one (the next page). */
  before: z.bigint().optional(),
  limit: z.number().int().min(1).max(10_000).default(100),
});
export type AuditFilter = z.input<typeof AuditFilter>;
