import { z } from "zod";

export const ImageRequest = z.looseObject({
  model: z.string({ error: "is required" }).min(1, "is required"),
  prompt: z.string({ error: "is required" }).min(1, "is required").max(32_000),
  n: z.number().int().min(1).max(10, "at most 10 images per request").default(1),
  size: z.string().regex(/^(auto|\d{2,4}x\d{2,4})$/, "must look like 1024x1024").optional(),
  quality: z.string().max(20).optional(),
  response_format: z.enum(["url", "b64_json"]).optional(),
  user: z.string().optional(),
});
export type ImageRequest = z.infer<typeof ImageRequest>;

export interface ImagesResponse {
  created: number;
  data: { url?: string; b64_json?: string; revised_prompt?: string }[];
  [k: string]: unknown;
}
