// Token counting with the o200k_base tokenizer (gpt-tokenizer: pure JS, no download, ≈9 µs a count).
// Used for the hold estimate before a call and, when an upstream reports no usage, for metering.
import { countTokens, decode, encode } from "gpt-tokenizer/encoding/o200k_base";

export { countTokens };

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

/** OpenAI's accounting for chat prompts: 3 tokens per message (+1 with a name), 3 to prime the reply. */
export function countChatTokens(messages: CountableMessage[]): number {
  let total = 3;
  for (const m of messages) {
    total += 3 + countTokens(m.role) + countTokens(contentText(m.content));
    if (m.name) total += 1 + countTokens(m.name);
  }
  return total;
}

export function lastUserText(messages: CountableMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === "user") return contentText(messages[i]!.content);
  return "";
}

/** The first `max` tokens of `text`, and whether it was cut. */
export function truncateTokens(text: string, max: number): { text: string; truncated: boolean } {
  const tokens = encode(text);
  if (tokens.length <= max) return { text, truncated: false };
  return { text: decode(tokens.slice(0, max)), truncated: true };
}
