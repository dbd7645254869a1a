import type { z } from "zod";
import { AppError } from "@/lib/errors";

/** Parses a verb's input; the first problem becomes an invalid_request naming its field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError("invalid_request", issue.message, { param: String(issue.path[0] ?? "") });
  }
  return parsed.data;
}
