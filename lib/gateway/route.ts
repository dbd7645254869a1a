// gatewayRoute: the one wrapper every /v1 route handler goes through. It names the request,
// authenticates the key, renders every failure in OpenAI's error shape and reports where the time went
// (`server-timing`).
import type { AuthenticatedKey } from "@/lib/keys/verify-key";
import { verifyKey } from "@/lib/keys/verify-key";
import { AppError } from "@/lib/errors";
import { errorResponse, newRequestId } from "./http";
import { ServerTiming } from "./timing";

export interface GatewayCtx {
  requestId: string;
  key: AuthenticatedKey;
  /** performance.now() when the request arrived. */
  startedAt: number;
  req: Request;
  /** The steps' durations, sent back as the `server-timing` header. */
  timing: ServerTiming;
}

export type GatewayHandler = (ctx: GatewayCtx) => Promise<Response>;

export function gatewayRoute(handler: GatewayHandler) {
  return async (req: Request): Promise<Response> => {
    const startedAt = performance.now();
    const requestId = newRequestId();
    const timing = new ServerTiming(startedAt);
    let response: Response;
    try {
      const key = await verifyKey(req.headers);
      timing.mark("auth");
      response = await handler({ requestId, key, startedAt, req, timing });
      response.headers.set("x-request-id", requestId);
    } catch (error) {
      response = errorResponse(error, requestId);
    }
    response.headers.set("server-timing", timing.header());
    return response;
  };
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type Method = (typeof METHODS)[number];

/**
 * Handlers for the methods a /v1 route does not serve: `405 method_not_allowed` in OpenAI's shape, with
 * `allow` and `x-request-id` (rather than Next's empty 405). Export them beside the route's own:
 * `export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");`
 */
export function otherMethods(...allowed: Method[]): Record<Method, (req: Request) => Promise<Response>> {
  const allow = allowed.join(", ");
  const refuse = async (req: Request) => {
    const response = errorResponse(
      new AppError("method_not_allowed", `${req.method} is not allowed on ${new URL(req.url).pathname}. Use ${allowed.join(" or ")}.`),
      newRequestId(),
    );
    response.headers.set("allow", allow);
    return response;
  };
  return Object.fromEntries(METHODS.map((m) => [m, refuse])) as Record<Method, (req: Request) => Promise<Response>>;
}
