// POST /v1/chat/completions: validate → price → hold the maximum cost → call the provider → meter →
// settle → respond. Streams pass through chunk by chunk; the hold is settled for what was delivered.
import { env } from "@/lib/env.js";
import { AppError } from "@/lib/errors";
import type { SettleResult, UsageFields } from "@/lib/billing/holds";
import { affordableOutputTokens, textCost, type TextPrice } from "@/lib/billing/pricing";
import { invalidRequest, json, readJson } from "../http";
import type { GatewayModel } from "../models";
import { costFields, costHeaders, failBeforeOutput as failBeforeOutputShared, holdExpiry, holdOnBound, refused, settleDelivered, toAppError, usableModel, withFallback } from "../pipeline";
import { providerFor } from "../providers/registry";
import type { GatewayCtx } from "../route";
import { countChatPromptTokens, countTokens } from "../tokens";
import { ChatRequest, type ChatCompletionChunk, type Usage } from "./schema";
import { withCappedNote } from "@/lib/usage/capped-note";

const DEFAULT_MAX_OUTPUT = 4096;

export async function chatCompletions(ctx: GatewayCtx): Promise<Response> {
  const { value, bytes } = await readJson(ctx.req, env.MAX_BODY_BYTES);
  const parsed = ChatRequest.safeParse(value);
  if (!parsed.success) throw invalidRequest(parsed.error.issues);
  const body = parsed.data;

  const model = await usableModel(ctx, body.model, "CHAT");
  const price: TextPrice = { inputPerMtokMicros: model.inputPerMtokMicros ?? 0n, outputPerMtokMicros: model.outputPerMtokMicros ?? 0n };
  const modelMax = model.maxOutputTokens ?? DEFAULT_MAX_OUTPUT;
  const requested = body.max_completion_tokens ?? body.max_tokens ?? null;
  if (requested !== null && requested > modelMax) {
    throw new AppError("invalid_request", `max_tokens is too large: ${model.id} returns at most ${modelMax} tokens.`, {
      param: body.max_completion_tokens ? "max_completion_tokens" : "max_tokens",
    });
  }
  // The request's size bounds its prompt's tokens and decides what fits; the prompt is counted only
  // where the bound does not settle it (tokens.ts: counting costs ≈0.1-0.2 ms per KB on the event loop).
  const prompt = promptTokens(body, bytes);
  const contextWindow = model.contextWindow;
  if (contextWindow && prompt.atMost + (requested ?? 0) > contextWindow && prompt.exact() + (requested ?? 0) > contextWindow) {
    throw new AppError("invalid_request", `The prompt (${prompt.exact()} tokens) does not fit ${model.id}'s context window of ${contextWindow}.`, { param: "messages" });
  }

  // Hold the most this request can cost. Without max_tokens, hold what the balance allows (at least
  // one output token) and cap the output to match.
  const maxCostFor = (tokens: number) => textCost(price, tokens, requested ?? modelMax);
  const amountsFor = (tokens: number) => ({
    maxMicros: maxCostFor(tokens),
    minMicros: requested !== null ? maxCostFor(tokens) : textCost(price, tokens, 1),
  });
  ctx.timing.mark("parse");
  // On the bound, or — refused — on the exact count.
  const hold = await holdOnBound(ctx, model, { endpoint: "chat.completions" }, amountsFor(prompt.atMost), () => amountsFor(prompt.exact()));
  ctx.timing.mark("hold");
  if (!hold.ok) throw refused(hold);

  let outputCap = requested ?? modelMax;
  // Capped only when the hold cannot pay for the full output on the prompt's exact count.
  const capped = requested === null && hold.amountMicros < maxCostFor(prompt.atMost) && hold.amountMicros < maxCostFor(prompt.exact());
  if (capped) outputCap = Math.max(1, Math.min(modelMax, affordableOutputTokens(price, prompt.exact(), hold.amountMicros)));

  const wantsUsage = body.stream_options?.include_usage === true;
  const upstreamBody: ChatRequest = {
    ...body,
    model: model.upstreamModel,
    ...(capped ? (body.max_completion_tokens !== undefined ? { max_completion_tokens: outputCap } : { max_tokens: outputCap }) : {}),
    ...(body.stream ? { stream_options: { ...body.stream_options, include_usage: true } } : {}),
  };
  const holdExpiresAt = holdExpiry();
  const meter: Meter = { ctx, model, price, holdId: hold.holdId, holdExpiresAt, prompt, stream: body.stream === true, capped: capped ? outputCap : null };
  const controller = new AbortController();
  // A client that goes away aborts the upstream call too (streams also abort in cancel()).
  ctx.req.signal.addEventListener("abort", () => controller.abort(), { once: true });
  // The call as one provider gets it: the model's own, or its fallback (with that provider's model name).
  const callFor = (served: GatewayModel) => ({ model: served, body: { ...upstreamBody, model: served.upstreamModel }, signal: controller.signal });

  if (!body.stream) {
    let completion;
    try {
      const answered = await withFallback(model, controller.signal, (served) => providerFor(served).complete(callFor(served)));
      completion = answered.result;
      meter.model = answered.served;
    } catch (error) {
      throw await failBeforeOutput(meter, error);
    }
    ctx.timing.mark("upstream");
    const outputText = completion.choices.map((c) => c.message.content ?? "").join("");
    const usage = normalizeUsage(completion.usage, prompt, outputText);
    const result = await settleUsage(meter, usage, "SUCCEEDED", null);
    ctx.timing.mark("settle");
    completion.model = model.id;
    completion.usage = { ...usage, ...costFields(result) };
    return json(completion, { headers: costHeaders(result, meter.capped) });
  }

  // Streaming: wait for the first chunk so that a failure before any output is a clean 502/504 (or,
  // with a fallback provider, a second try).
  let iterator: AsyncIterator<ChatCompletionChunk>;
  let first: IteratorResult<ChatCompletionChunk>;
  try {
    const answered = await withFallback(model, controller.signal, async (served) => {
      const started = providerFor(served).stream(callFor(served))[Symbol.asyncIterator]();
      return { started, first: await started.next() };
    });
    ({ started: iterator, first } = answered.result);
    meter.model = answered.served;
  } catch (error) {
    throw await failBeforeOutput(meter, error);
  }
  ctx.timing.mark("upstream"); // to the first chunk; the stream is settled after the headers are sent
  return new Response(sseStream(meter, iterator, first, controller, wantsUsage), {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
      ...(meter.capped !== null ? { "x-max-tokens-capped": String(meter.capped) } : {}),
    },
  });
}

interface Meter {
  ctx: GatewayCtx;
  model: GatewayModel;
  price: TextPrice;
  holdId: string;
  /** When the sweeper may release the hold (epoch ms); a settlement is retried until shortly before. */
  holdExpiresAt: number;
  prompt: PromptTokens;
  stream: boolean;
  capped: number | null;
  /** Milliseconds from arrival to the first content sent to the client (streams). */
  ttftMs?: number;
}

/** The prompt's token count, counted at most once and only when asked for, and an upper bound of it. */
interface PromptTokens {
  atMost: number;
  exact(): number;
}

function promptTokens(request: ChatRequest, requestBytes: number): PromptTokens {
  let exact: number | undefined;
  return { atMost: requestBytes, exact: () => (exact ??= countChatPromptTokens(request)) };
}

/** The upstream's usage, or — when it reported none — our own count of the prompt and of what was delivered. */
function normalizeUsage(usage: Usage | null | undefined, prompt: PromptTokens, outputText: string): Usage {
  if (usage && Number.isInteger(usage.prompt_tokens) && Number.isInteger(usage.completion_tokens)) return usage;
  const input = prompt.exact();
  const completion = countTokens(outputText);
  return { prompt_tokens: input, completion_tokens: completion, total_tokens: input + completion };
}

function cachedTokens(usage: Usage): number {
  const details = usage.prompt_tokens_details as { cached_tokens?: unknown } | undefined;
  return typeof details?.cached_tokens === "number" ? details.cached_tokens : 0;
}

function usageFields(meter: Meter, usage: Usage, status: UsageFields["status"], note: string | null): UsageFields {
  return {
    modelId: meter.model.id,
    endpoint: "chat.completions",
    status,
    inputTokens: usage.prompt_tokens,
    outputTokens: usage.completion_tokens,
    inputPerMtokMicros: meter.price.inputPerMtokMicros,
    outputPerMtokMicros: meter.price.outputPerMtokMicros,
    stream: meter.stream,
    latencyMs: Math.round(performance.now() - meter.ctx.startedAt),
    note: withCappedNote(note, meter.capped),
    providerId: meter.model.providerId,
    upstreamModel: meter.model.upstreamModel,
    cachedTokens: cachedTokens(usage),
    ttftMs: meter.ttftMs ?? null,
  };
}

/** Settles the hold for what was delivered (pipeline's settleDelivered: waits out a brief database outage). */
function settleUsage(meter: Meter, usage: Usage, status: UsageFields["status"], note: string | null) {
  return settleDelivered({
    holdId: meter.holdId,
    requestId: meter.ctx.requestId,
    costMicros: textCost(meter.price, usage.prompt_tokens, usage.completion_tokens),
    usage: usageFields(meter, usage, status, note),
    description: `${meter.model.id} · ${usage.prompt_tokens} in / ${usage.completion_tokens} out`,
  }, meter.holdExpiresAt);
}

function failBeforeOutput(meter: Meter, error: unknown) {
  return failBeforeOutputShared(meter.ctx, { holdId: meter.holdId, model: meter.model, endpoint: "chat.completions", stream: meter.stream }, error);
}

const encoder = new TextEncoder();
const sse = (data: unknown) => encoder.encode(`data: ${JSON.stringify(data)}\n\n`);

/**
 * Passes chunks through as they arrive. Settles exactly once: when the upstream reports usage (so the
 * usage chunk can carry the charged cost), at the end, on an upstream failure, or when the client
 * goes away (charged for the prompt and the tokens delivered so far).
 */
function sseStream(
  meter: Meter,
  iterator: AsyncIterator<ChatCompletionChunk>,
  first: IteratorResult<ChatCompletionChunk>,
  upstream: AbortController,
  wantsUsage: boolean,
): ReadableStream<Uint8Array> {
  let delivered = "";
  let settled: Promise<Pick<SettleResult, "costMicros" | "paidBy">> | null = null;
  let pending: IteratorResult<ChatCompletionChunk> | null = first;

  const settleOnce = (usage: Usage | null, status: UsageFields["status"], note: string | null) =>
    (settled ??= settleUsage(meter, normalizeUsage(usage, meter.prompt, delivered), status, note).catch((error) => {
      console.error(`[gateway] ${meter.ctx.requestId} settlement failed:`, error);
      return { costMicros: 0n, paidBy: "BALANCE" as const };
    }));

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        // Loop until something is enqueued: a pull that enqueues nothing is not called again.
        for (;;) {
          const next = pending ?? (await iterator.next());
          pending = null;
          if (next.done) {
            await settleOnce(null, "SUCCEEDED", null);
            controller.enqueue(encoder.encode("data: [DONE]\n\n"));
            controller.close();
            return;
          }
          const chunk = next.value;
          for (const choice of chunk.choices) delivered += typeof choice.delta?.content === "string" ? choice.delta.content : "";
          if (meter.ttftMs === undefined && delivered) meter.ttftMs = Math.round(performance.now() - meter.ctx.startedAt);
          if (chunk.usage) {
            const settledCost = await settleOnce(chunk.usage, "SUCCEEDED", null);
            if (!wantsUsage) {
              if (chunk.choices.length === 0) continue; // the usage-only chunk the client did not ask for
              delete chunk.usage;
            } else {
              chunk.usage = { ...chunk.usage, ...costFields(settledCost) };
            }
          } else if (!wantsUsage && "usage" in chunk) {
            delete chunk.usage;
          }
          chunk.model = meter.model.id;
          controller.enqueue(sse(chunk));
          return;
        }
      } catch (error) {
        const appError = toAppError(error);
        await settleOnce(null, "PARTIAL", `stream interrupted: ${appError.code}`);
        controller.enqueue(sse({ error: { message: appError.message, type: appError.type, code: appError.code, param: null } }));
        controller.enqueue(encoder.encode("data: [DONE]\n\n"));
        controller.close();
      }
    },
    async cancel() {
      upstream.abort();
      await iterator.return?.().catch(() => {});
      await settleOnce(null, "PARTIAL", "client_disconnected");
    },
  });
}
