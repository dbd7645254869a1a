// Where sign-in sends people afterwards: back to the page they asked for, and never to another site.
import { describe, expect, it } from "vitest";
import { safeRedirectPath, signInUrl } from "./safe-redirect";

describe("safeRedirectPath", () => {
  it("keeps a path of this site with its query and fragment", () => {
    expect(safeRedirectPath("/usage/requests?status=FAILED")).toBe("/usage/requests?status=FAILED");
    expect(safeRedirectPath("/usage/requests?model=sandbox%2Fchat&from=2026-03-01#top")).toBe("/usage/requests?model=sandbox%2Fchat&from=2026-03-01#top");
    expect(safeRedirectPath("/")).toBe("/");
  });

  it.each([
    ["another site", "https://evil.example/billing"],
    ["another scheme", "javascript:alert(1)"],
    ["a protocol-relative URL", "//evil.example"],
    ["a backslash the browser reads as a slash", "/\\evil.example"],
    ["a backslash further on", "/usage\\..\\"],
    ["a tab the browser drops", "/\t/evil.example"],
    ["a newline the browser drops", "/\n/evil.example"],
    ["a relative path", "usage"],
    ["an empty string", ""],
    ["sign-in itself", "/sign-in?callbackUrl=/billing"],
    ["sign-up", "/sign-up"],
    ["a path that resolves to sign-in", "/usage/../sign-in"],
    ["something that is not a string", ["/usage"]],
    ["something very long", `/${"a".repeat(2001)}`],
  ])("refuses %s", (_, value) => {
    expect(safeRedirectPath(value)).toBe("/billing");
    expect(safeRedirectPath(value, "")).toBe("");
  });
});

describe("signInUrl", () => {
  it("carries the page asked for, encoded, and nothing it may not go back to", () => {
    expect(signInUrl("/usage/requests?status=FAILED")).toBe("/sign-in?callbackUrl=%2Fusage%2Frequests%3Fstatus%3DFAILED");
    expect(signInUrl(null)).toBe("/sign-in");
    expect(signInUrl("//evil.example")).toBe("/sign-in");
    expect(signInUrl("/sign-in")).toBe("/sign-in");
  });

  it("round-trips through the sign-in page's query string", () => {
    const path = "/usage/requests?model=sandbox%2Fchat&status=FAILED";
    const callback = new URL(signInUrl(path), "http://localhost").searchParams.get("callbackUrl");
    expect(safeRedirectPath(callback)).toBe(path);
  });
});
