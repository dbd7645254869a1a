// sandbox/chat: answers locally and deterministically, with real token counts, so the whole product
// works without provider keys. Test hooks in the last user message (documented in docs/api.md):
//   [sandbox:error=502]   fail before any output with that upstream status
//   [sandbox:delay=50]    wait that many milliseconds between stream chunks
import { randomBytes } from "node:crypto";
import { env } from "@/lib/env.js";
import type { ChatCompletion, ChatCompletionChunk, Usage } from "../../chat/schema";
import { countChatPromptTokens, countTokens, lastUserText, truncateTokens } from "../../tokens";
import { ProviderError, type ChatCall, type Provider } from "../types";

function replyFor(call: ChatCall): { text: string; finish: "stop" | "length"; usage: Usage } {
  const messages = call.body.messages;
  const last = lastUserText(messages).replace(/\s+/g, " ").trim();
  const excerpt = last.length > 120 ? `${last.slice(0, 117)}...` : last;
  const full =
    `Hello from the Meterway sandbox. You sent ${messages.length} message${messages.length === 1 ? "" : "s"}` +
    (excerpt ? `, the last one saying: "${excerpt}".` : ".") +
    " This answer is generated locally and deterministically, and it is billed like any real model:" +
    " by the tokens in your prompt and the tokens in this reply.";
  const max = call.body.max_completion_tokens ?? call.body.max_tokens ?? Number.MAX_SAFE_INTEGER;
  const { text, truncated } = truncateTokens(full, max);
  const prompt = countChatPromptTokens(call.body);
  const completion = countTokens(text);
  return { text, finish: truncated ? "length" : "stop", usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion } };
}

function hooks(call: ChatCall): { error?: number; delay: number } {
  const text = lastUserText(call.body.messages);
  const error = /\[sandbox:error=(\d{3})\]/.exec(text)?.[1];
  const delay = /\[sandbox:delay=(\d{1,5})\]/.exec(text)?.[1];
  return { error: error ? Number(error) : undefined, delay: delay ? Number(delay) : env.SANDBOX_CHUNK_DELAY_MS };
}

function fail(status: number): never {
  throw new ProviderError({ kind: "http", status, message: `The sandbox upstream answered ${status} (requested by [sandbox:error=${status}]).` });
}

// The abort listener goes when the wait ends: one per chunk left behind would pile up on the
// request's signal for the whole stream (Node warns past ten).
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });

export const sandboxChat: Pick<Provider, "complete" | "stream"> = {
  async complete(call) {
    const h = hooks(call);
    if (h.error) fail(h.error);
    const { text, finish, usage } = replyFor(call);
    return {
      id: `chatcmpl-${randomBytes(12).toString("hex")}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: call.model.id,
      choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: finish, logprobs: null }],
      usage,
    } satisfies ChatCompletion;
  },

  async *stream(call) {
    const h = hooks(call);
    if (h.error) fail(h.error);
    const { text, finish, usage } = replyFor(call);
    const id = `chatcmpl-${randomBytes(12).toString("hex")}`;
    const created = Math.floor(Date.now() / 1000);
    const chunk = (delta: ChatCompletionChunk["choices"][number]["delta"], finish_reason: string | null): ChatCompletionChunk => ({
      id, object: "chat.completion.chunk", created, model: call.model.id,
      choices: [{ index: 0, delta, finish_reason }],
    });
    yield chunk({ role: "assistant", content: "" }, null);
    const words = text.match(/\S+\s*/g) ?? [];
    for (let i = 0; i < words.length; i += 3) {
      if (call.signal.aborted) return;
      if (h.delay) await sleep(h.delay, call.signal);
      yield chunk({ content: words.slice(i, i + 3).join("") }, null);
    }
    yield chunk({}, finish);
    yield { id, object: "chat.completion.chunk", created, model: call.model.id, choices: [], usage };
  },
};
