// gatewayRoute: the one wrapper every /v1 route handler goes through. It names the request,
// authenticates the key, renders every failure in OpenAI's error shape and reports where the time went
// (`server-timing`).
import type { AuthenticatedKey } from "@/lib/keys/verify-key";
import { verifyKey } from "@/lib/keys/verify-key";
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
