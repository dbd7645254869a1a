// GET /v1/models: the models this key may use, with their prices (API.md).
import { microsToNumber } from "@/lib/money";
import { json } from "./http";
import { enabledModels, type GatewayModel } from "./models";
import type { GatewayCtx } from "./route";

const micros = (v: bigint | null) => (v === null ? null : microsToNumber(v));

export function publicModel(m: GatewayModel) {
  const text = m.type === "CHAT" || m.type === "EMBEDDING";
  return {
    id: m.id,
    object: "model" as const,
    created: Math.floor(m.createdAt.getTime() / 1000),
    owned_by: m.providerId,
    type: m.type.toLowerCase() as "chat" | "embedding" | "image" | "video" | "music",
    name: m.displayName,
    description: m.description,
    context_length: m.contextWindow,
    max_output_tokens: m.maxOutputTokens,
    pricing: {
      input_per_mtok_micros: text ? micros(m.inputPerMtokMicros) : null,
      output_per_mtok_micros: m.type === "CHAT" ? micros(m.outputPerMtokMicros) : null,
      per_image_micros: m.type === "IMAGE" ? micros(m.perImageMicros) : null,
      per_task_micros: m.type === "VIDEO" || m.type === "MUSIC" ? micros(m.perTaskMicros) : null,
    },
  };
}

export async function listModels(ctx: GatewayCtx): Promise<Response> {
  const allowed = ctx.key.allowedModels;
  const models = (await enabledModels()).filter((m) => allowed.length === 0 || allowed.includes(m.id));
  return json({ object: "list", data: models.map(publicModel) });
}
