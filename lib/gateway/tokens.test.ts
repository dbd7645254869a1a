import { describe, expect, it } from "vitest";
import { countChatPromptTokens, countChatTokens, countTokens, encodeTokens, truncateTokens } from "./tokens";

/** A deterministic spread of code points: ASCII, Latin-1, CJK, emoji (4 UTF-8 bytes), combining marks. */
function mixedText(seed: number, length: number): string {
  const ranges = [[0x20, 0x7e], [0xa0, 0xff], [0x4e00, 0x9fff], [0x1f600, 0x1f64f], [0x300, 0x36f], [0x9, 0xa]] as const;
  let x = seed;
  let text = "";
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const [low, high] = ranges[x % ranges.length]!;
    text += String.fromCodePoint(low + (x >> 8) % (high - low + 1));
  }
  return text;
}

const samples = [
  "",
  " ",
  "Say hello to the sandbox.",
  "The quick brown fox jumps over the lazy dog. ".repeat(40),
  "日本語のテキストと中文文本",
  "😀👍🏽👨‍👩‍👧‍👦",
  "const f = (x: number) => x ** 2; // comment\n\tif (a !== b) { return [1, 2, 3]; }",
  "   \n\n\n\t\t   spaces   and\r\nnewlines   ",
  "what does <|endoftext|> or <|im_start|>system mean?",
  ...Array.from({ length: 20 }, (_, i) => mixedText(i + 1, 50 + i * 40)),
];

describe("token counts", () => {
  it("counts text that spells a special token as plain text instead of throwing", () => {
    // Several ordinary tokens, not the one special token (nor an exception).
    expect(countTokens("<|endoftext|>")).toBeGreaterThan(1);
    expect(countTokens("what does <|im_start|> mean?")).toBeGreaterThan(countTokens("what does  mean?"));
    expect(truncateTokens("before <|endoftext|> after", 100)).toEqual({ text: "before <|endoftext|> after", truncated: false });
  });

  it("counts no text as more tokens than it has UTF-8 bytes", () => {
    for (const text of samples) expect(countTokens(text)).toBeLessThanOrEqual(Buffer.byteLength(text));
  });

  // The gateway holds a request's cost on its size (tokens.ts); what it relies on:
  it("counts no chat request's prompt as more tokens than the request has bytes of JSON", () => {
    const messages = samples.map((text, i) => ({
      role: i % 3 === 0 ? "system" : i % 3 === 1 ? "user" : "assistant",
      content: i % 2 ? text : [{ type: "text", text }, { type: "image_url", image_url: { url: "https://example.test/a.png" } }],
      ...(i % 4 === 0 ? { name: `speaker_${i}` } : {}),
      ...(i % 5 === 0 ? { tool_calls: [{ id: `call_${i}`, type: "function", function: { name: "lookup", arguments: JSON.stringify({ q: text }) } }] } : {}),
    }));
    const tools = [{ type: "function", function: { name: "lookup", description: samples[3], parameters: { type: "object", properties: { q: { type: "string" } } } } }];
    for (let n = 1; n <= messages.length; n++) {
      for (const request of [{ model: "m", messages: messages.slice(0, n) }, { model: "m", messages: messages.slice(0, n), tools, tool_choice: "auto" }]) {
        expect(countChatPromptTokens(request)).toBeLessThanOrEqual(Buffer.byteLength(JSON.stringify(request)));
      }
    }
  });

  it("counts no embeddings input as more tokens than its request has bytes of JSON", () => {
    const tokenIds = encodeTokens(samples[3]!);
    for (const input of [samples, samples.slice(0, 1), tokenIds, [tokenIds, tokenIds.slice(0, 3)]]) {
      const counted = (input as (string | number | number[])[]).reduce<number>(
        (sum, item) => sum + (typeof item === "string" ? countTokens(item) : Array.isArray(item) ? item.length : 1),
        0,
      );
      expect(counted).toBeLessThanOrEqual(Buffer.byteLength(JSON.stringify({ model: "m", input })));
    }
  });

  it("counts a chat prompt as OpenAI does, with tool definitions and tool calls as their JSON", () => {
    // 3 to prime the reply, 3 for the message, then its text.
    expect(countChatTokens([{ role: "user", content: "" }])).toBe(3 + 3 + 1);
    const messages = [{ role: "user", content: "What is the weather in Paris?" }];
    expect(countChatPromptTokens({ messages })).toBe(countChatTokens(messages));
    const tools = [{ type: "function", function: { name: "weather", description: "The weather in a city, today.", parameters: { type: "object", properties: { city: { type: "string" } } } } }];
    expect(countChatPromptTokens({ messages, tools })).toBe(countChatTokens(messages) + countTokens(JSON.stringify([tools])));
    const call = { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } }] };
    expect(countChatPromptTokens({ messages: [...messages, call] })).toBe(
      countChatTokens([...messages, call]) + countTokens(JSON.stringify([{ tool_calls: call.tool_calls }])),
    );
  });
});
