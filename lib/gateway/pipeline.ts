// Steps every billable /v1 endpoint shares: resolve the model the key may use, refuse what cannot be
// paid for, release the hold (no charge) when the provider fails before any output, and settle what
// was delivered even across a brief database outage.
import { AppError } from "@/lib/errors";
import { release, reserve, settle, type LimitSource, type PaidBy, type ReserveResult, type SettleInput, type SettleResult } from "@/lib/billing/holds";
import { retryWhileDatabaseUnavailable } from "@/lib/db";
import { env } from "@/lib/env.js";
import { microsToNumber, microsToUsdNumber } from "@/lib/money";
import { aModelOf } from "@/lib/text";
import { findModel, viaFallback, type GatewayModel } from "./models";
import { ProviderError } from "./providers/types";
import type { GatewayCtx } from "./route";

export async function usableModel(ctx: GatewayCtx, id: string, type: GatewayModel["type"]): Promise<GatewayModel> {
  const model = await findModel(id);
  if (!model) throw new AppError("model_not_found", `The model '${id}' does not exist or is not available.`, { param: "model" });
  if (ctx.key.allowedModels.length > 0 && !ctx.key.allowedModels.includes(model.id)) {
    throw new AppError("model_not_allowed", `This API key may not use '${id}'.`, { param: "model" });
  }
  if (model.type !== type) {
    throw new AppError("invalid_request", `'${id}' is ${aModelOf(model.type)} and cannot serve this endpoint.`, { param: "model" });
  }
  return model;
}

/**
 * Calls `model`'s provider; when it fails before any output in a way another provider may not — a 5xx,
 * a 429, a timeout, a lost connection, or our credentials refused (401/403) — and the model names a
 * fallback provider, calls that one once, within the same hold. A 4xx is the request's own fault and
 * is never sent twice; nor is a request whose client has gone. Returns the result and the model as
 * served (its providerId and upstreamModel are the provider's that answered, for the usage record).
 */
export async function withFallback<T>(model: GatewayModel, signal: AbortSignal, call: (served: GatewayModel) => Promise<T>): Promise<{ result: T; served: GatewayModel }> {
  try {
    return { result: await call(model), served: model };
  } catch (error) {
    const fallback = viaFallback(model);
    if (!fallback || signal.aborted || !worthAnotherProvider(error)) throw error;
    console.warn(`[gateway] ${model.id}: provider ${model.providerId} failed (${(error as Error).message}); trying ${fallback.providerId}`);
    return { result: await call(fallback), served: fallback };
  }
}

function worthAnotherProvider(error: unknown): boolean {
  if (!(error instanceof ProviderError)) return false;
  const f = error.failure;
  return f.kind !== "http" || f.status >= 500 || f.status === 429 || f.status === 401 || f.status === 403;
}

/** The error for a refused reservation. */
export function refused(
  result: { limitSource: LimitSource; keyLimitToo?: boolean } | { limitSource: "rate_limit"; retryAfterSeconds: number; scope?: "key" | "subscription" },
): AppError {
  if (result.limitSource === "rate_limit") {
    const whose = "scope" in result && result.scope === "subscription" ? "Your subscription's rate limit for this model" : "This API key's rate limit";
    return new AppError("rate_limited", `${whose} is reached. Try again in ${result.retryAfterSeconds} s.`, { retryAfter: result.retryAfterSeconds });
  }
  return insufficient(result.limitSource, "keyLimitToo" in result && result.keyLimitToo === true);
}

export function insufficient(limitSource: LimitSource, keyLimitToo = false): AppError {
  switch (limitSource) {
    case "key_limit":
      return new AppError("insufficient_balance", "This API key has reached its spend limit.", { limitSource });
    case "subscription":
      return new AppError(
        "insufficient_balance",
        "Your subscription's allowance for this model is used up for this period, and it does not fall back to your balance. Allow the fallback or wait for the next period.",
        { limitSource },
      );
    default:
      return new AppError(
        "insufficient_balance",
        keyLimitToo
          ? "Your balance is too low for this request, and this API key has also reached its spend limit. Add funds and raise the key's limit to continue."
          : "Your balance is too low for this request. Add funds to continue.",
        { limitSource },
      );
  }
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

/** What a hold sets aside: at most `maxMicros`, and at least `minMicros` when the balance allows no more. */
export interface HoldAmounts {
  maxMicros: bigint;
  minMicros: bigint;
}

/**
 * Holds `bound` — amounts priced on an upper bound of the request's tokens (its size, tokens.ts) — and,
 * should that be refused for anything but a rate limit, once more on `exact()` when it asks for less:
 * a refusal commits nothing, so the request may try again.
 */
export async function holdOnBound(
  ctx: GatewayCtx,
  model: GatewayModel,
  request: { endpoint: string; units?: number },
  bound: HoldAmounts,
  exact?: () => HoldAmounts,
): Promise<ReserveResult> {
  const holdFor = (amounts: HoldAmounts) =>
    reserve({
      accountId: ctx.key.accountId, apiKeyId: ctx.key.id, requestId: ctx.requestId, ...amounts,
      model: { id: model.id, type: model.type }, endpoint: request.endpoint, units: request.units,
    });
  const hold = await holdFor(bound);
  if (hold.ok || hold.limitSource === "rate_limit" || !exact) return hold;
  const tighter = exact();
  return tighter.minMicros < bound.minMicros ? holdFor(tighter) : hold;
}

/**
 * The middle of a one-shot request (embeddings, images): hold its maximum cost (`minMicros` = all of it;
 * when `maxMicros` is an upper bound, `exactMaxMicros` is tried should the bound be refused: holdOnBound),
 * call the model's provider — or its fallback (withFallback) — and, should both fail before any output,
 * release the hold and throw the error to answer with. The caller settles what was delivered.
 */
export async function holdAndCall<T>(
  ctx: GatewayCtx,
  model: GatewayModel,
  request: { endpoint: string; maxMicros: bigint; units?: number; exactMaxMicros?: () => bigint },
  call: (served: GatewayModel) => Promise<T>,
): Promise<{ result: T; served: GatewayModel; holdId: string; holdExpiresAt: number }> {
  ctx.timing.mark("parse");
  const all = (micros: bigint): HoldAmounts => ({ maxMicros: micros, minMicros: micros });
  const exact = request.exactMaxMicros;
  const hold = await holdOnBound(ctx, model, request, all(request.maxMicros), exact && (() => all(exact())));
  ctx.timing.mark("hold");
  if (!hold.ok) throw refused(hold);
  const holdExpiresAt = holdExpiry();
  try {
    const answered = await withFallback(model, ctx.req.signal, call);
    ctx.timing.mark("upstream");
    return { ...answered, holdId: hold.holdId, holdExpiresAt };
  } catch (error) {
    throw await failBeforeOutput(ctx, { holdId: hold.holdId, model, endpoint: request.endpoint, stream: false }, error);
  }
}

/** When a hold placed now may be released by the sweeper (epoch ms). */
export function holdExpiry(): number {
  return Date.now() + env.HOLD_TTL_SECONDS * 1000;
}

/**
 * Settles a request whose output exists (delivered, or on its way). A database that is briefly away (a
 * restart, a failover) is waited for — up to 30 s, and never past the hold's expiry — rather than
 * letting the sweeper release the hold and the request go uncharged. Repeating is safe: settle() acts
 * only on a hold that is still ACTIVE.
 */
export function settleDelivered(input: SettleInput, holdExpiresAt: number): Promise<SettleResult> {
  return retryWhileDatabaseUnavailable(() => settle(input), Math.min(Date.now() + 30_000, holdExpiresAt - 2_000));
}

export function elapsedMs(ctx: GatewayCtx): number {
  return Math.round(performance.now() - ctx.startedAt);
}

type Settled = Pick<SettleResult, "costMicros" | "chargedMicros" | "paidBy" | "availableMicros">;

/**
 * A request's price as the API reports it in `usage`: USD as a JSON number and integer micros, and
 * who paid it (docs/api.md): a subscription allowance, the balance, or both.
 */
export function costFields(result: Pick<Settled, "costMicros" | "paidBy">): { cost: number; cost_micros: number; paid_by: string } {
  return { cost: microsToUsdNumber(result.costMicros), cost_micros: microsToNumber(result.costMicros), paid_by: paidByName(result.paidBy) };
}

export function paidByName(paidBy: PaidBy): "balance" | "subscription" | "mixed" {
  return paidBy === "SUBSCRIPTION" ? "subscription" : paidBy === "MIXED" ? "mixed" : "balance";
}

/** The response headers of a settled request (API.md and docs/api.md), plus the output cap when the gateway set one. */
export function costHeaders(result: Settled, cappedAt: number | null = null): Record<string, string> {
  return {
    "x-request-cost-micros": result.costMicros.toString(),
    "x-balance-remaining-micros": result.availableMicros.toString(),
    "x-balance-charged-micros": result.chargedMicros.toString(),
    "x-paid-by": paidByName(result.paidBy),
    ...(cappedAt !== null ? { "x-max-tokens-capped": String(cappedAt) } : {}),
  };
}
