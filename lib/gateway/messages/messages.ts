// POST /v1/messages: Anthropic's Messages API in front of the same pipeline. The request is translated
// to Chat Completions and run through chatCompletions() — same holds, caps, metering and settlement —
// and the answer (JSON or SSE) is translated back, so the official Anthropic SDKs work unmodified.
import { z } from "zod";
import { env } from "@/lib/env.js";
import { chatCompletions } from "../chat/chat-completions";
import type { ChatCompletion, ChatCompletionChunk } from "../chat/schema";
import { invalidRequest, json, readJsonBody } from "../http";
import type { GatewayCtx } from "../route";

const Block = z.looseObject({ type: z.string(), text: z.string().optional() });
const Content = z.union([z.string(), z.array(Block)]);

const MessagesRequest = z.looseObject({
  model: z.string({ error: "is required" }).min(1, "is required"),
  max_tokens: z.number({ error: "is required" }).int().positive(),
  messages: z.array(z.object({ role: z.enum(["user", "assistant"]), content: Content }), { error: "must be an array of messages" }).min(1),
  system: Content.optional(),
  stream: z.boolean().optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  stop_sequences: z.array(z.string()).max(16).optional(),
});
type MessagesRequest = z.infer<typeof MessagesRequest>;

const text = (content: z.infer<typeof Content>) =>
  typeof content === "string" ? content : content.map((b) => (b.type === "text" ? (b.text ?? "") : "")).join("");

function toChat(body: MessagesRequest) {
  return {
    model: body.model,
    max_tokens: body.max_tokens,
    messages: [
      ...(body.system ? [{ role: "system", content: text(body.system) }] : []),
      ...body.messages.map((m) => ({ role: m.role, content: text(m.content) })),
    ],
    ...(body.temperature !== undefined ? { temperature: body.temperature } : {}),
    ...(body.top_p !== undefined ? { top_p: body.top_p } : {}),
    ...(body.stop_sequences ? { stop: body.stop_sequences } : {}),
    ...(body.stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  };
}

const STOP: Record<string, string> = { stop: "end_turn", length: "max_tokens", tool_calls: "tool_use", content_filter: "refusal" };

interface CostUsage {
  prompt_tokens: number;
  completion_tokens: number;
  cost?: number;
  cost_micros?: number;
  paid_by?: string;
}

const usageOf = (u: CostUsage | undefined | null) => ({
  input_tokens: u?.prompt_tokens ?? 0,
  output_tokens: u?.completion_tokens ?? 0,
  ...(u?.cost_micros !== undefined ? { cost: u.cost, cost_micros: u.cost_micros, paid_by: u.paid_by } : {}),
});

export async function anthropicMessages(ctx: GatewayCtx): Promise<Response> {
  const parsed = MessagesRequest.safeParse(await readJsonBody(ctx.req, env.MAX_BODY_BYTES));
  if (!parsed.success) throw invalidRequest(parsed.error.issues);
  const body = parsed.data;
  const headers = new Headers(ctx.req.headers);
  headers.delete("content-length");
  const inner = new Request(ctx.req.url, { method: "POST", headers, body: JSON.stringify(toChat(body)), signal: ctx.req.signal });
  const res = await chatCompletions({ ...ctx, req: inner });
  const passHeaders: Record<string, string> = {};
  for (const name of ["x-request-cost-micros", "x-balance-remaining-micros", "x-max-tokens-capped"]) {
    const value = res.headers.get(name);
    if (value) passHeaders[name] = value;
  }

  if (!body.stream) {
    const completion = (await res.json()) as ChatCompletion;
    const choice = completion.choices[0];
    return json(
      {
        id: completion.id.replace(/^chatcmpl-/, "msg_"),
        type: "message",
        role: "assistant",
        model: body.model,
        content: [{ type: "text", text: choice?.message.content ?? "" }],
        stop_reason: STOP[choice?.finish_reason ?? "stop"] ?? "end_turn",
        stop_sequence: null,
        usage: usageOf(completion.usage as CostUsage | undefined),
      },
      { headers: passHeaders },
    );
  }
  return new Response(toAnthropicEvents(res.body!, body.model), {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", "x-accel-buffering": "no", ...passHeaders },
  });
}

/** Chat Completions SSE → Anthropic Messages SSE, event by event as they arrive. */
function toAnthropicEvents(source: ReadableStream<Uint8Array>, model: string): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let buffer = "";
  let started = false;
  let stopReason = "end_turn";
  let usage: CostUsage | null = null;
  const event = (type: string, data: Record<string, unknown>) => encoder.encode(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const boundary = buffer.indexOf("\n\n");
        if (boundary === -1) {
          const { done, value } = await reader.read();
          if (done) {
            controller.close();
            return;
          }
          buffer += decoder.decode(value, { stream: true });
          continue;
        }
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        if (!block.startsWith("data: ")) continue;
        const data = block.slice(6);
        if (data === "[DONE]") {
          controller.enqueue(event("content_block_stop", { index: 0 }));
          controller.enqueue(event("message_delta", { delta: { stop_reason: stopReason, stop_sequence: null }, usage: usageOf(usage) }));
          controller.enqueue(event("message_stop", {}));
          controller.close();
          return;
        }
        const chunk = JSON.parse(data) as ChatCompletionChunk & { error?: { message: string; type: string } };
        if (chunk.error) {
          controller.enqueue(event("error", { error: { type: "api_error", message: chunk.error.message } }));
          continue;
        }
        const out: Uint8Array[] = [];
        if (!started) {
          started = true;
          out.push(event("message_start", {
            message: { id: chunk.id.replace(/^chatcmpl-/, "msg_"), type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } },
          }));
          out.push(event("content_block_start", { index: 0, content_block: { type: "text", text: "" } }));
        }
        for (const choice of chunk.choices) {
          if (choice.delta?.content) out.push(event("content_block_delta", { index: 0, delta: { type: "text_delta", text: choice.delta.content } }));
          if (choice.finish_reason) stopReason = STOP[choice.finish_reason] ?? "end_turn";
        }
        if (chunk.usage) usage = chunk.usage as CostUsage;
        if (out.length) {
          for (const piece of out) controller.enqueue(piece);
          return;
        }
      }
    },
    async cancel(reason) {
      await reader.cancel(reason); // the chat stream settles what was delivered
    },
  });
}
