// sandbox/embed: deterministic embeddings (a hashed bag of o200k tokens, L2-normalised), real token
// counts. Similar texts get similar vectors, so it is usable for trying out retrieval code.
import { createHash } from "node:crypto";
import { embeddingInputs, type EmbeddingRequest, type EmbeddingResponse } from "../../embeddings/schema";
import type { Call } from "../types";
import { encodeTokens } from "../../tokens";

const DEFAULT_DIMENSIONS = 256;

function vector(tokens: number[], dimensions: number): number[] {
  const v = new Array<number>(dimensions).fill(0);
  for (const token of tokens) {
    const h = createHash("sha256").update(String(token)).digest();
    v[h.readUInt32LE(0) % dimensions]! += h[4]! & 1 ? 1 : -1;
    v[h.readUInt32LE(5) % dimensions]! += (h[9]! & 1 ? 0.5 : -0.5);
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => Math.round((x / norm) * 1e6) / 1e6);
}

export async function sandboxEmbed(call: Call<EmbeddingRequest>): Promise<EmbeddingResponse> {
  const dimensions = call.body.dimensions ?? DEFAULT_DIMENSIONS;
  let promptTokens = 0;
  const data = embeddingInputs(call.body.input).map((item, index) => {
    const tokens = typeof item === "string" ? encodeTokens(item) : item;
    promptTokens += tokens.length;
    const values = vector(tokens, dimensions);
    const embedding = call.body.encoding_format === "base64" ? Buffer.from(new Float32Array(values).buffer).toString("base64") : values;
    return { object: "embedding" as const, index, embedding };
  });
  return { object: "list", data, model: call.model.id, usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } };
}
