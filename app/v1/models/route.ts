// GET /v1/models — the models this key may use, with prices
import { listModels } from "@/lib/gateway/list-models";
import { gatewayRoute, otherMethods } from "@/lib/gateway/route";

export const dynamic = "force-dynamic";
export const GET = gatewayRoute(listModels);
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
