// The bodies of POST /v1/videos and POST /v1/music, and the list query.
import { z } from "zod";

const callbackUrl = z
  .url({ protocol: /^https?$/ })
  .max(2000)
  .optional();
const seconds = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).pipe(z.number().int().min(1).max(120));

export const VideoRequest = z.object({
  model: z.string().min(1),
  prompt: z.string().min(1).max(4000),
  seconds: seconds.optional(),
  size: z.string().regex(/^\d{2,5}x\d{2,5}$/).optional(),
  callback_url: callbackUrl,
});
export type VideoRequest = z.infer<typeof VideoRequest>;

export const MusicRequest = z.object({
  model: z.string().min(1),
  prompt: z.string().min(1).max(4000),
  duration: seconds.optional(),
  callback_url: callbackUrl,
});
export type MusicRequest = z.infer<typeof MusicRequest>;

/** What the runner needs from a task's stored input. */
export const StoredInput = z.object({
  prompt: z.string(),
  seconds: z.number().optional(),
  size: z.string().optional(),
  /** The origin the task was submitted to, for result URLs in callbacks. */
  origin: z.string(),
});
export type StoredInput = z.infer<typeof StoredInput>;

export const ListTasksInput = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  after: z.string().max(100).optional(),
});
export type ListTasksInput = z.infer<typeof ListTasksInput>;

export const TaskError = z.object({ code: z.string(), message: z.string() });
export type TaskError = z.infer<typeof TaskError>;
