// POST /v1/chat/completions — reserve, call the provider, settle the actual usage
import { chatCompletions } from "@/lib/gateway/chat/chat-completions";
import { gatewayRoute, otherMethods } from "@/lib/gateway/route";

export const dynamic = "force-dynamic";
export const POST = gatewayRoute(chatCompletions);
export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
