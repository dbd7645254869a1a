// gatewayRoute: the one wrapper every /v1 route handler goes through. It names the request,
// authenticates the key and renders every failure in OpenAI's error shape.
import type { AuthenticatedKey } from "@/lib/keys/verify-key";
import { verifyKey } from "@/lib/keys/verify-key";
import { errorResponse, newRequestId } from "./http";

export interface GatewayCtx {
  requestId: string;
  key: AuthenticatedKey;
  /** performance.now() when the request arrived. */
  startedAt: number;
  req: Request;
}

export type GatewayHandler = (ctx: GatewayCtx) => Promise<Response>;

export function gatewayRoute(handler: GatewayHandler) {
  return async (req: Request): Promise<Response> => {
    const startedAt = performance.now();
    const requestId = newRequestId();
    try {
      const key = await verifyKey(req.headers);
      const response = await handler({ requestId, key, startedAt, req });
      response.headers.set("x-request-id", requestId);
      return response;
    } catch (error) {
      return errorResponse(error, requestId);
    }
  };
}
