import { describe, expect, it } from "vitest";
import { chatTokensAtMost, countChatTokens, countTokens, tokensAtMost, truncateTokens } from "./tokens";

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

  it("bounds every text's count from above, and the bound is the text's UTF-8 length", () => {
    for (const text of samples) {
      expect(tokensAtMost(text)).toBe(Buffer.byteLength(text));
      expect(countTokens(text)).toBeLessThanOrEqual(tokensAtMost(text));
    }
  });

  it("bounds a chat prompt's count from above, names and content parts included", () => {
    const messages = samples.map((text, i) => ({
      role: i % 3 === 0 ? "system" : i % 3 === 1 ? "user" : "assistant",
      content: i % 2 ? text : [{ type: "text", text }, { type: "image_url", image_url: { url: "https://example.test/a.png" } }],
      ...(i % 4 === 0 ? { name: `speaker_${i}` } : {}),
    }));
    for (let n = 1; n <= messages.length; n++) {
      const prompt = messages.slice(0, n);
      expect(countChatTokens(prompt)).toBeLessThanOrEqual(chatTokensAtMost(prompt));
    }
    // OpenAI's per-message accounting on both sides: 3 to prime the reply, 3 for the message, then its text.
    expect(chatTokensAtMost([{ role: "user", content: "" }])).toBe(3 + 3 + "user".length);
    expect(countChatTokens([{ role: "user", content: "" }])).toBe(3 + 3 + 1);
  });
});
