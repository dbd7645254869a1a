// POST /v1/embeddings: priced per input token. The hold covers an upper bound of the inputs' tokens
// (tokens.ts: the request's size in bytes, which no byte-level tokenizer exceeds, so an upstream
// counting with its own is covered too) — or, should that be refused, our count with a margin; the
// charge is the upstream's count, at most the hold.
import { env } from "@/lib/env.js";
import { AppError } from "@/lib/errors";
import { textCost } from "@/lib/billing/pricing";
import { invalidRequest, json, readJson } from "../http";
import { costFields, costHeaders, elapsedMs, holdAndCall, settleDelivered, usableModel } from "../pipeline";
import { providerFor } from "../providers/registry";
import type { GatewayCtx } from "../route";
import { countTokens } from "../tokens";
import { EmbeddingRequest, embeddingInputs } from "./schema";

export async function embeddings(ctx: GatewayCtx): Promise<Response> {
  const { value, bytes } = await readJson(ctx.req, env.MAX_BODY_BYTES);
  const parsed = EmbeddingRequest.safeParse(value);
  if (!parsed.success) throw invalidRequest(parsed.error.issues);
  const body = parsed.data;
  const model = await usableModel(ctx, body.model, "EMBEDDING");
  const provider = providerFor(model);
  if (!provider.embed) throw new AppError("invalid_request", `${model.id} cannot make embeddings.`, { param: "model" });

  const price = { inputPerMtokMicros: model.inputPerMtokMicros ?? 0n, outputPerMtokMicros: 0n };
  const inputs = embeddingInputs(body.input);
  const counted = () => inputs.reduce((sum, item) => sum + (typeof item === "string" ? countTokens(item) : item.length), 0);
  const maxCost = textCost(price, bytes, 0);
  const exactMaxMicros = () => textCost(price, Math.ceil(counted() * 1.1) + 16, 0);
  const { result: response, served, holdId, holdExpiresAt } = await holdAndCall(ctx, model, { endpoint: "embeddings", maxMicros: maxCost, exactMaxMicros }, (m) => {
    const adapter = providerFor(m);
    if (!adapter.embed) throw new AppError("upstream_error", `The fallback provider of ${model.id} cannot make embeddings.`);
    return adapter.embed({ model: m, body: { ...body, model: m.upstreamModel }, signal: ctx.req.signal });
  });
  const inputTokens = Number.isInteger(response.usage?.prompt_tokens) ? response.usage!.prompt_tokens : counted();
  const result = await settleDelivered({
    holdId,
    requestId: ctx.requestId,
    costMicros: textCost(price, inputTokens, 0),
    usage: {
      modelId: model.id,
      endpoint: "embeddings",
      status: "SUCCEEDED",
      inputTokens,
      outputTokens: 0,
      units: response.data.length,
      inputPerMtokMicros: price.inputPerMtokMicros,
      stream: false,
      latencyMs: elapsedMs(ctx),
      providerId: served.providerId,
      upstreamModel: served.upstreamModel,
    },
    description: `${model.id} · ${inputTokens} tokens embedded`,
  }, holdExpiresAt);
  ctx.timing.mark("settle");
  response.model = model.id;
  response.usage = { prompt_tokens: inputTokens, total_tokens: inputTokens, ...costFields(result) };
  return json(response, { headers: costHeaders(result) });
}
