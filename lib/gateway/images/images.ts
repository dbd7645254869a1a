// POST /v1/images/generations: priced per image. Holds n images; charges for the images delivered.
import { env } from "@/lib/env.js";
import { AppError } from "@/lib/errors";
import { invalidRequest, json, readJsonBody } from "../http";
import { costFields, costHeaders, elapsedMs, holdAndCall, settleDelivered, usableModel } from "../pipeline";
import { providerFor } from "../providers/registry";
import type { GatewayCtx } from "../route";
import { ImageRequest } from "./schema";

export async function imageGenerations(ctx: GatewayCtx): Promise<Response> {
  const parsed = ImageRequest.safeParse(await readJsonBody(ctx.req, env.MAX_BODY_BYTES));
  if (!parsed.success) throw invalidRequest(parsed.error.issues);
  const body = parsed.data;
  const model = await usableModel(ctx, body.model, "IMAGE");
  const provider = providerFor(model);
  if (!provider.generateImages) throw new AppError("invalid_request", `${model.id} cannot generate images.`, { param: "model" });

  const perImage = model.perImageMicros ?? 0n;
  const maxCost = perImage * BigInt(body.n);
  const { result: response, served, holdId, holdExpiresAt } = await holdAndCall(ctx, model, { endpoint: "images.generations", maxMicros: maxCost, units: body.n }, (m) => {
    const adapter = providerFor(m);
    if (!adapter.generateImages) throw new AppError("upstream_error", `The fallback provider of ${model.id} cannot generate images.`);
    return adapter.generateImages({ model: m, body: { ...body, model: m.upstreamModel }, signal: ctx.req.signal });
  });
  const delivered = Math.min(response.data?.length ?? 0, body.n);
  const result = await settleDelivered({
    holdId,
    requestId: ctx.requestId,
    costMicros: perImage * BigInt(delivered),
    usage: {
      modelId: model.id,
      endpoint: "images.generations",
      status: delivered === body.n ? "SUCCEEDED" : "PARTIAL",
      inputTokens: 0,
      outputTokens: 0,
      units: delivered,
      unitPriceMicros: perImage,
      stream: false,
      latencyMs: elapsedMs(ctx),
      providerId: served.providerId,
      upstreamModel: served.upstreamModel,
      note: delivered < body.n ? `${delivered} of ${body.n} images delivered` : null,
    },
    description: `${model.id} · ${delivered} image${delivered === 1 ? "" : "s"}`,
  }, holdExpiresAt);
  ctx.timing.mark("settle");
  return json(
    { ...response, usage: { images: delivered, ...costFields(result) } },
    { headers: costHeaders(result) },
  );
}
