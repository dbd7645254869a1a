import { describe, expect, it } from "vitest";
import { aModelOf, article, capitalized } from "./text";

describe("message words", () => {
  it("puts the right article before a word and a model type", () => {
    expect(article("object")).toBe("an object");
    expect(article("string")).toBe("a string");
    expect(["CHAT", "EMBEDDING", "IMAGE", "VIDEO", "MUSIC"].map(aModelOf)).toEqual([
      "a chat model", "an embedding model", "an image model", "a video model", "a music model",
    ]);
    expect(capitalized(aModelOf("IMAGE"))).toBe("An image model");
  });
});
