// POST /v1/messages — Anthropic's Messages API over the same metered pipeline as chat completions
import { anthropicMessages } from "@/lib/gateway/messages/messages";
import { gatewayRoute, otherMethods } from "@/lib/gateway/route";

export const dynamic = "force-dynamic";
export const POST = gatewayRoute(anthropicMessages);
export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
