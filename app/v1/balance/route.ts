// GET /v1/balance — the key owner's balance, reserved and available amounts, and the key's spend
import { balance } from "@/lib/gateway/get-balance";
import { gatewayRoute, otherMethods } from "@/lib/gateway/route";

export const dynamic = "force-dynamic";
export const GET = gatewayRoute(balance);
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
