// Steps every billable /v1 endpoint shares: resolve the model the key may use, refuse what cannot be
// paid for, and release the hold (no charge) when the provider fails before any output.
import { AppError } from "@/lib/errors";
import { release } from "@/lib/billing/holds";
import { microsToNumber, microsToUsdNumber } from "@/lib/money";
import { findModel, type GatewayModel } from "./models";
import { ProviderError } from "./providers/types";
import type { GatewayCtx } from "./route";

export async function usableModel(ctx: GatewayCtx, id: string, type: GatewayModel["type"]): Promise<GatewayModel> {
  const model = await findModel(id);
  if (!model) throw new AppError("model_not_found", `The model '${id}' does not exist or is not available.`, { param: "model" });
  if (ctx.key.allowedModels.length > 0 && !ctx.key.allowedModels.includes(model.id)) {
    throw new AppError("model_not_allowed", `This API key may not use '${id}'.`, { param: "model" });
  }
  if (model.type !== type) {
    throw new AppError("invalid_request", `'${id}' is a ${model.type.toLowerCase()} model and cannot serve this endpoint.`, { param: "model" });
  }
  return model;
}

/** The error for a refused reservation. */
export function refused(result: { limitSource: "balance" | "key_limit" } | { limitSource: "rate_limit"; retryAfterSeconds: number }): AppError {
  if (result.limitSource === "rate_limit") {
    return new AppError("rate_limited", `This API key's rate limit is reached. Try again in ${result.retryAfterSeconds} s.`, { retryAfter: result.retryAfterSeconds });
  }
  return insufficient(result.limitSource);
}

export function insufficient(limitSource: "balance" | "key_limit"): AppError {
  return limitSource === "key_limit"
    ? new AppError("insufficient_balance", "This API key has reached its spend limit.", { limitSource })
    : new AppError("insufficient_balance", "Your balance is too low for this request. Add funds to continue.", { limitSource });
}

/** A provider failure as the API reports it: 4xx passed through, 5xx/connection → 502, timeouts → 504. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof ProviderError) {
    const f = error.failure;
    if (f.kind === "timeout") return new AppError("upstream_timeout", `The model provider did not answer in time: ${f.message}.`);
    if (f.kind === "http" && f.status >= 400 && f.status < 500 && f.status !== 429 && f.status !== 401 && f.status !== 403) {
      return new AppError("invalid_request", f.message, { status: f.status, param: f.param ?? null });
    }
    return new AppError("upstream_error", `The model provider failed: ${f.message}`);
  }
  console.error("[gateway] provider call failed:", error);
  return new AppError("upstream_error", "The model provider failed before sending any output.");
}

/** Releases the hold, records the failed request (cost 0), and returns the error to answer with. */
export async function failBeforeOutput(
  ctx: GatewayCtx,
  hold: { holdId: string; model: GatewayModel; endpoint: string; stream: boolean },
  error: unknown,
): Promise<AppError> {
  const appError = toAppError(error);
  await release({
    holdId: hold.holdId,
    failure: {
      requestId: ctx.requestId,
      modelId: hold.model.id,
      endpoint: hold.endpoint,
      stream: hold.stream,
      latencyMs: Math.round(performance.now() - ctx.startedAt),
      note: `${appError.code}: ${appError.message}`.slice(0, 500),
    },
  });
  return appError;
}

export function elapsedMs(ctx: GatewayCtx): number {
  return Math.round(performance.now() - ctx.startedAt);
}

/** A request's charge as the API reports it in `usage`: USD as a JSON number, and integer micros. */
export function costFields(costMicros: bigint): { cost: number; cost_micros: number } {
  return { cost: microsToUsdNumber(costMicros), cost_micros: microsToNumber(costMicros) };
}

/** The response headers of a settled request (API.md), plus the output cap when the gateway set one. */
export function costHeaders(result: { costMicros: bigint; availableMicros: bigint }, cappedAt: number | null = null): Record<string, string> {
  return {
    "x-request-cost-micros": result.costMicros.toString(),
    "x-balance-remaining-micros": result.availableMicros.toString(),
    ...(cappedAt !== null ? { "x-max-tokens-capped": String(cappedAt) } : {}),
  };
}
