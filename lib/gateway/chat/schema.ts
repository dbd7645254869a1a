// OpenAI Chat Completions, as much of it as the gateway needs to understand. Unknown fields pass
// through to the upstream untouched (looseObject).
import { z } from "zod";

const ContentPart = z.looseObject({ type: z.string() });

export const ChatMessage = z.looseObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool", "function"]),
  content: z.union([z.string(), z.array(ContentPart), z.null()]).optional(),
  name: z.string().max(256).optional(),
});

export const ChatRequest = z.looseObject({
  model: z.string({ error: "is required" }).min(1, "is required"),
  messages: z.array(ChatMessage, { error: "must be an array of messages" }).min(1, "must contain at least one message"),
  stream: z.boolean().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  n: z.number().int().min(1).max(1, "only n = 1 is supported").nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
});
export type ChatRequest = z.infer<typeof ChatRequest>;

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  [extra: string]: unknown;
}

export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: { index: number; message: { role: "assistant"; content: string | null; [k: string]: unknown }; finish_reason: string | null; [k: string]: unknown }[];
  usage?: Usage;
  [extra: string]: unknown;
}

export interface ChatCompletionChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: { index: number; delta: { role?: string; content?: string | null; [k: string]: unknown }; finish_reason: string | null; [k: string]: unknown }[];
  usage?: Usage | null;
  [extra: string]: unknown;
}
