// The 400s the gateway writes from a schema's complaints: the field named, in words, not zod's defaults.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { invalidRequest } from "./http";

const Body = z.object({
  prompt: z.string(),
  n: z.number().int().positive().max(10),
  size: z.enum(["256x256", "512x512"]),
  messages: z.array(z.object({ role: z.string() })).min(1),
  name: z.string().min(1, "Give it a name"),
});
const valid = { prompt: "p", n: 1, size: "256x256", messages: [{ role: "user" }], name: "x" };

function complaint(body: unknown) {
  const parsed = Body.safeParse(body);
  if (parsed.success) throw new Error("expected a complaint");
  const error = invalidRequest(parsed.error.issues);
  return { message: error.message, param: error.param, status: error.status };
}

describe("invalidRequest", () => {
  it("puts zod's defaults in words, naming the field", () => {
    expect(complaint({ ...valid, prompt: undefined })).toEqual({ message: "'prompt' is required.", param: "prompt", status: 400 });
    expect(complaint({ ...valid, prompt: 3 }).message).toBe("'prompt' must be a string.");
    expect(complaint({ ...valid, n: 0 }).message).toBe("'n' must be greater than 0.");
    expect(complaint({ ...valid, n: 11 }).message).toBe("'n' must be at most 10.");
    expect(complaint({ ...valid, size: "1x1" }).message).toBe(`'size' must be one of: "256x256", "512x512".`);
    expect(complaint({ ...valid, messages: [] }).message).toBe("'messages' must have at least 1 item.");
    expect(complaint({ ...valid, messages: [{}] })).toMatchObject({ message: "'messages.0.role' is required.", param: "messages.0.role" });
    expect(complaint([])).toEqual({ message: "The request body must be a JSON object.", param: null, status: 400 });
    expect(complaint({ ...valid, messages: "hello" }).message).toBe("'messages' must be an array.");
  });

  it("keeps a schema's own message", () => {
    expect(complaint({ ...valid, name: "" }).message).toBe("Invalid 'name': Give it a name");
  });
});
