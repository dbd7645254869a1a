import { z } from "zod";

export const EmbeddingRequest = z.looseObject({
  model: z.string({ error: "is required" }).min(1, "is required"),
  input: z.union(
    [
      z.string(),
      z.array(z.string()).min(1, "must not be empty").max(2048, "at most 2048 inputs"),
      z.array(z.number().int()).min(1),
      z.array(z.array(z.number().int()).min(1)).min(1).max(2048),
    ],
    { error: "must be a string, an array of strings, or token arrays" },
  ),
  encoding_format: z.enum(["float", "base64"]).optional(),
  dimensions: z.number().int().positive().max(8192).optional(),
  user: z.string().optional(),
});
export type EmbeddingRequest = z.infer<typeof EmbeddingRequest>;

/** `input` as a list: one string, many strings, one token array or many token arrays. */
export function embeddingInputs(input: EmbeddingRequest["input"]): (string | number[])[] {
  if (typeof input === "string") return [input];
  if (input.length > 0 && typeof input[0] === "number") return [input as number[]];
  return input as (string | number[])[];
}

export interface EmbeddingResponse {
  object: "list";
  data: { object: "embedding"; index: number; embedding: number[] | string }[];
  model: string;
  usage?: { prompt_tokens: number; total_tokens: number; [k: string]: unknown };
  [k: string]: unknown;
}
