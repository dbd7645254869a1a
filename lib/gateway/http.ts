// Request and response plumbing shared by every /v1 route: ids, bodies with a size limit, JSON with
// bigints, and errors in OpenAI's shape (never a stack trace).
import { randomBytes } from "node:crypto";
import { isDatabaseUnavailable } from "@/lib/db";
import { AppError, INTERNAL_ERROR_MESSAGE, isAppError, openAIErrorBody } from "@/lib/errors";
import { article } from "@/lib/text";

// Request ids come from a pool of random bytes refilled 4 KB at a time: one getrandom() call per
// 340 requests rather than one per request.
const POOL_BYTES = 4096;
const ID_BYTES = 12;
let pool = randomBytes(POOL_BYTES);
let poolOffset = 0;

export function newRequestId(): string {
  if (poolOffset + ID_BYTES > POOL_BYTES) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  const id = pool.toString("hex", poolOffset, poolOffset + ID_BYTES);
  poolOffset += ID_BYTES;
  return `req_${id}`;
}

function replacer(_key: string, value: unknown) {
  return typeof value === "bigint" ? Number(value) : value;
}

export function json(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return new Response(JSON.stringify(body, replacer), {
    status: init.status ?? 200,
    headers: { "content-type": "application/json", ...init.headers },
  });
}

export function errorResponse(error: unknown, requestId: string): Response {
  if (isAppError(error)) {
    const headers: Record<string, string> = { "x-request-id": requestId };
    if (error.retryAfter !== undefined) headers["retry-after"] = String(error.retryAfter);
    return json(openAIErrorBody(error), { status: error.status, headers });
  }
  if (isDatabaseUnavailable(error)) {
    // A database restart or failover: a clear 503 the client may retry, not a 500 with a stack trace.
    console.warn(`[gateway] ${requestId} database unavailable: ${String((error as Error)?.message ?? error).trim().split("\n").at(-1)}`);
    return errorResponse(new AppError("service_unavailable", "The service is briefly unavailable. Please retry in a moment.", { retryAfter: 1 }), requestId);
  }
  console.error(`[gateway] ${requestId} unexpected error:`, error);
  return json(openAIErrorBody(new AppError("internal_error", `${INTERNAL_ERROR_MESSAGE} (request ${requestId})`)), {
    status: 500,
    headers: { "x-request-id": requestId },
  });
}

/** Reads a JSON body of at most `limit` bytes, without trusting Content-Length alone. */
export async function readJsonBody(req: Request, limit: number): Promise<unknown> {
  return (await readJson(req, limit)).value;
}

/** readJsonBody, and the body's size in bytes. */
export async function readJson(req: Request, limit: number): Promise<{ value: unknown; bytes: number }> {
  const tooLarge = () => new AppError("request_too_large", `The request body is larger than the limit of ${limit} bytes.`);
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (req.body) {
    const reader = req.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text.trim()) throw new AppError("invalid_request", "The request body is empty. Send a JSON object.");
  try {
    return { value: JSON.parse(text), bytes: size };
  } catch {
    throw new AppError("invalid_request", "The request body is not valid JSON.");
  }
}

/** What a zod issue carries that the sentence needs (zod 4's issue shapes, loosely). */
interface Issue {
  code?: string;
  path: PropertyKey[];
  message: string;
  expected?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  origin?: string;
  values?: unknown[];
}

/**
 * One issue as a sentence about `field` ("'n'", or "The request body"). A schema's own message is kept;
 * zod's defaults ("Invalid input: expected string, received undefined") are put in words.
 */
function describeIssue(issue: Issue, field: string): string {
  if (!/^(Invalid input|Invalid option|Too small|Too big)/.test(issue.message)) return `Invalid ${field}: ${issue.message}`;
  switch (issue.code) {
    case "invalid_type":
      if (/received undefined$/.test(issue.message)) return `${field} is required.`;
      return `${field} must be ${issue.expected === "object" ? "a JSON object" : article(issue.expected ?? "different type")}.`;
    case "invalid_value":
      return `${field} must be one of: ${(issue.values ?? []).map((v) => JSON.stringify(v)).join(", ")}.`;
    case "too_small":
      if (issue.origin === "array" || issue.origin === "set") return `${field} must have at least ${issue.minimum} item${Number(issue.minimum) === 1 ? "" : "s"}.`;
      if (issue.origin === "string") return Number(issue.minimum) <= 1 ? `${field} must not be empty.` : `${field} must be at least ${issue.minimum} characters long.`;
      return `${field} must be ${issue.inclusive ? "at least" : "greater than"} ${issue.minimum}.`;
    case "too_big":
      if (issue.origin === "array" || issue.origin === "set") return `${field} must have at most ${issue.maximum} items.`;
      if (issue.origin === "string") return `${field} must be at most ${issue.maximum} characters long.`;
      return `${field} must be ${issue.inclusive ? "at most" : "less than"} ${issue.maximum}.`;
    default:
      return `Invalid ${field}: ${issue.message}`;
  }
}

/** zod issues → one clear 400 naming the field, in words. */
export function invalidRequest(issues: Issue[]): AppError {
  const issue = issues[0];
  if (!issue) return new AppError("invalid_request", "Invalid request.");
  const param = issue.path.length ? issue.path.map(String).join(".") : null;
  return new AppError("invalid_request", describeIssue(issue, param ? `'${param}'` : "The request body"), { param });
}
