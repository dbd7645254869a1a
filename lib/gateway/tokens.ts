// Token counting with the o200k_base tokenizer (gpt-tokenizer: pure JS, no download). An exact count
// costs about 0.1-0.2 ms per KB of text, on the event loop, so the gateway counts exactly only where a
// count decides something. A hold needs an upper bound, and the request's size gives one for free: a
// byte-level BPE token is at least one byte of UTF-8, and the JSON of a request has at least as many
// bytes as the text in it (an escape is longer than what it stands for, and each message, part and
// token id comes with more bytes of JSON than the tokens OpenAI adds for it) — so no such tokenizer,
// o200k or a provider's own, counts more tokens in a request than it has bytes (tokens.test.ts).
import { countTokens as count, decode, encode } from "gpt-tokenizer/encoding/o200k_base";

/**
 * Text that spells a special token ("<|endoftext|>") is counted as the text it is, as providers treat
 * user content. (The tokenizer's default refuses such text with an exception.)
 */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

export function countTokens(text: string): number {
  return count(text, PLAIN_TEXT);
}

export function encodeTokens(text: string): number[] {
  return encode(text, PLAIN_TEXT);
}

export interface CountableMessage {
  role: string;
  content?: unknown;
  name?: string | undefined;
}

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (part && typeof part === "object" && "text" in part && typeof part.text === "string" ? part.text : ""))
      .join("");
  }
  return "";
}

/** OpenAI's accounting for chat messages: 3 tokens per message (+1 with a name), 3 to prime the reply. */
export function countChatTokens(messages: CountableMessage[]): number {
  let total = 3;
  for (const m of messages) {
    total += 3 + countTokens(m.role) + countTokens(contentText(m.content));
    if (m.name) total += 1 + countTokens(m.name);
  }
  return total;
}

/** The request fields besides the messages that a provider reads into the prompt. */
const PROMPT_FIELDS = ["tools", "functions", "tool_choice", "response_format"];

/**
 * A chat request's prompt: its messages (countChatTokens), and what a provider counts as input with
 * them — tool definitions, a response format's schema, the tool calls in messages — as the tokens of
 * their JSON (each provider renders them its own way; their JSON is close).
 */
export function countChatPromptTokens(request: { messages: CountableMessage[]; [field: string]: unknown }): number {
  const extras: unknown[] = PROMPT_FIELDS.map((field) => request[field]).filter((value) => value !== undefined && value !== null);
  for (const message of request.messages) {
    const { role: _role, content: _content, name: _name, ...rest } = message as CountableMessage & Record<string, unknown>;
    if (Object.keys(rest).length > 0) extras.push(rest);
  }
  return countChatTokens(request.messages) + (extras.length > 0 ? countTokens(JSON.stringify(extras)) : 0);
}

export function lastUserText(messages: CountableMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === "user") return contentText(messages[i]!.content);
  return "";
}

/** The first `max` tokens of `text`, and whether it was cut. */
export function truncateTokens(text: string, max: number): { text: string; truncated: boolean } {
  const tokens = encodeTokens(text);
  if (tokens.length <= max) return { text, truncated: false };
  return { text: decode(tokens.slice(0, max)), truncated: true };
}
