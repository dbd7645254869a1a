// One error type for everything we expect to go wrong, and the table from its code to an HTTP status.
// The gateway renders it in OpenAI's shape, the portal as a friendly sentence. Anything else is a bug:
// logged with the request id, shown as a generic 500.

export const ERROR_STATUS = {
  invalid_request: 400,
  invalid_api_key: 401,
  unauthorized: 401,
  insufficient_balance: 402,
  model_not_allowed: 403,
  forbidden: 403,
  model_not_found: 404,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  gone: 410,
  request_too_large: 413,
  rate_limited: 429,
  internal_error: 500,
  upstream_error: 502,
  service_unavailable: 503,
  upstream_timeout: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** OpenAI's `error.type` for each code. */
const ERROR_TYPE: Record<ErrorCode, string> = {
  invalid_request: "invalid_request_error",
  invalid_api_key: "authentication_error",
  unauthorized: "authentication_error",
  insufficient_balance: "insufficient_quota",
  model_not_allowed: "permission_error",
  forbidden: "permission_error",
  model_not_found: "invalid_request_error",
  not_found: "invalid_request_error",
  method_not_allowed: "invalid_request_error",
  conflict: "invalid_request_error",
  gone: "invalid_request_error",
  request_too_large: "invalid_request_error",
  rate_limited: "rate_limit_error",
  internal_error: "server_error",
  upstream_error: "upstream_error",
  service_unavailable: "server_error",
  upstream_timeout: "upstream_error",
};

export type LimitSource = "balance" | "key_limit" | "subscription";

export interface AppErrorOptions {
  param?: string | null;
  limitSource?: LimitSource;
  /** Seconds, for 429. */
  retryAfter?: number;
  /** Override the code's status (e.g. an upstream 4xx passed through). */
  status?: number;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly param: string | null;
  readonly limitSource?: LimitSource;
  readonly retryAfter?: number;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.status = options.status ?? ERROR_STATUS[code];
    this.param = options.param ?? null;
    this.limitSource = options.limitSource;
    this.retryAfter = options.retryAfter;
  }

  get type(): string {
    return ERROR_TYPE[this.code];
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** OpenAI's error body: {"error": {"message", "type", "code", "param"}}. */
export function openAIErrorBody(error: AppError) {
  return {
    error: {
      message: error.message,
      type: error.type,
      code: error.code,
      param: error.param,
      ...(error.limitSource ? { limit_source: error.limitSource } : {}),
    },
  };
}

export const INTERNAL_ERROR_MESSAGE = "Something went wrong on our side. Please try again; if it keeps happening, contact support with the request id.";
