// Anthropic's native Messages API behind the Chat Completions endpoint: requests translated to
// Messages, responses and stream events translated back, usage (cache reads included) reported.
import { randomBytes } from "node:crypto";
import { providerSecret } from "@/lib/env.js";
import type { ChatCompletion, ChatCompletionChunk, ChatRequest, Usage } from "../../chat/schema";
import type { GatewayModel } from "../../models";
import { postJson, readJson, sseData } from "../http";
import { ProviderError, type ChatCall, type Provider } from "../types";

const ANTHROPIC_VERSION = "2023-06-01";
const DEFAULT_BASE = "https://api.anthropic.com";

type Block = { type: "text"; text: string } | { type: "image"; source: Record<string, string> };

interface AnthropicUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

interface AnthropicMessage {
  id: string;
  content: { type: string; text?: string }[];
  stop_reason: string | null;
  usage: AnthropicUsage;
}

function blocks(content: unknown): Block[] {
  if (typeof content === "string") return content ? [{ type: "text", text: content }] : [];
  if (!Array.isArray(content)) return [];
  const out: Block[] = [];
  for (const part of content as { type?: string; text?: string; image_url?: { url?: string } | string }[]) {
    if (part.type === "text" && typeof part.text === "string") out.push({ type: "text", text: part.text });
    if (part.type === "image_url") {
      const url = typeof part.image_url === "string" ? part.image_url : part.image_url?.url ?? "";
      const data = /^data:([^;]+);base64,(.*)$/.exec(url);
      out.push(data ? { type: "image", source: { type: "base64", media_type: data[1]!, data: data[2]! } } : { type: "image", source: { type: "url", url } });
    }
  }
  return out;
}

const text = (content: unknown) => blocks(content).flatMap((b) => (b.type === "text" ? [b.text] : [])).join("\n");

/** Chat Completions → Messages. */
export function toMessagesRequest(body: ChatRequest, model: GatewayModel, stream: boolean) {
  const system = body.messages.filter((m) => m.role === "system" || m.role === "developer").map((m) => text(m.content)).filter(Boolean).join("\n\n");
  const messages = body.messages
    .filter((m) => m.role !== "system" && m.role !== "developer")
    .map((m) => ({ role: m.role === "assistant" ? "assistant" : "user", content: blocks(m.content) }))
    .filter((m) => m.content.length > 0);
  const stop = (body as { stop?: string | string[] }).stop;
  return {
    model: model.upstreamModel,
    max_tokens: body.max_completion_tokens ?? body.max_tokens ?? model.maxOutputTokens ?? 4096,
    messages,
    ...(system ? { system } : {}),
    ...(body.temperature != null ? { temperature: Math.min(body.temperature, 1) } : {}),
    ...(body.top_p != null ? { top_p: body.top_p } : {}),
    ...(stop ? { stop_sequences: Array.isArray(stop) ? stop : [stop] } : {}),
    stream,
  };
}

export function toUsage(u: AnthropicUsage): Usage {
  const cached = u.cache_read_input_tokens ?? 0;
  const prompt = (u.input_tokens ?? 0) + cached + (u.cache_creation_input_tokens ?? 0);
  const completion = u.output_tokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, prompt_tokens_details: { cached_tokens: cached } };
}

const FINISH: Record<string, string> = { end_turn: "stop", stop_sequence: "stop", max_tokens: "length", tool_use: "tool_calls", refusal: "content_filter" };

function endpoint(model: GatewayModel) {
  const secret = providerSecret(model.apiKeyEnv);
  if (model.apiKeyEnv && !secret) {
    throw new ProviderError({ kind: "connection", message: `provider ${model.providerId} is missing its key (${model.apiKeyEnv} is not set)` });
  }
  const base = (model.baseUrl ?? DEFAULT_BASE).replace(/\/+$/, "").replace(/\/v1$/, "");
  return { url: `${base}/v1/messages`, headers: { "anthropic-version": ANTHROPIC_VERSION, ...(secret ? { "x-api-key": secret } : {}) } };
}

export const anthropic: Provider = {
  async complete(call: ChatCall): Promise<ChatCompletion> {
    const res = await postJson({ ...endpoint(call.model), body: toMessagesRequest(call.body, call.model, false), signal: call.signal });
    const message = await readJson<AnthropicMessage>(res);
    return {
      id: `chatcmpl-${message.id}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: call.model.id,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: message.content.filter((b) => b.type === "text").map((b) => b.text ?? "").join("") },
          finish_reason: FINISH[message.stop_reason ?? ""] ?? "stop",
        },
      ],
      usage: toUsage(message.usage ?? {}),
    };
  },

  async *stream(call: ChatCall): AsyncGenerator<ChatCompletionChunk> {
    const res = await postJson({ ...endpoint(call.model), body: toMessagesRequest(call.body, call.model, true), signal: call.signal });
    let id = `chatcmpl-${randomBytes(12).toString("hex")}`;
    const created = Math.floor(Date.now() / 1000);
    const usage: AnthropicUsage = {};
    const chunk = (delta: ChatCompletionChunk["choices"][number]["delta"], finish: string | null): ChatCompletionChunk => ({
      id, object: "chat.completion.chunk", created, model: call.model.id, choices: [{ index: 0, delta, finish_reason: finish }],
    });
    for await (const { data } of sseData(res)) {
      let event: { type: string; message?: AnthropicMessage; delta?: { type?: string; text?: string; stop_reason?: string }; usage?: AnthropicUsage; error?: { message?: string } };
      try {
        event = JSON.parse(data);
      } catch {
        throw new ProviderError({ kind: "connection", message: "the provider sent a malformed stream event" });
      }
      switch (event.type) {
        case "message_start":
          if (event.message?.id) id = `chatcmpl-${event.message.id}`;
          Object.assign(usage, event.message?.usage ?? {});
          yield chunk({ role: "assistant", content: "" }, null);
          break;
        case "content_block_delta":
          if (event.delta?.type === "text_delta" && event.delta.text) yield chunk({ content: event.delta.text }, null);
          break;
        case "message_delta":
          Object.assign(usage, event.usage ?? {});
          yield chunk({}, FINISH[event.delta?.stop_reason ?? ""] ?? "stop");
          break;
        case "message_stop":
          yield { id, object: "chat.completion.chunk", created, model: call.model.id, choices: [], usage: toUsage(usage) };
          return;
        case "error":
          throw new ProviderError({ kind: "http", status: 502, message: event.error?.message ?? "the provider reported an error mid-stream" });
        default:
          break; // ping, content_block_start/stop
      }
    }
  },
};
