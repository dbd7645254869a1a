import { describe, expect, it } from "vitest";
import { cappedOutputTokens, withCappedNote } from "./capped-note";

describe("the note of a request whose output the balance capped", () => {
  it("records the cap, beside a note of the request's own, and reads it back", () => {
    expect(withCappedNote(null, 42)).toBe("Output capped at 42 tokens by the balance");
    expect(withCappedNote("client_disconnected", 42)).toBe("Output capped at 42 tokens by the balance; client_disconnected");
    expect(withCappedNote("client_disconnected", null)).toBe("client_disconnected");
    expect(cappedOutputTokens(withCappedNote("client_disconnected", 42))).toBe(42);
    expect(cappedOutputTokens("max_tokens capped at 7 by the balance")).toBe(7);
    expect(cappedOutputTokens("stream interrupted: upstream_error")).toBeNull();
    expect(cappedOutputTokens(null)).toBeNull();
  });
});
