// GET /v1/tasks/{id} — one of the key owner's tasks (anyone else's is a 404)
import { gatewayRoute, otherMethods } from "@/lib/gateway/route";
import { getTask } from "@/lib/gateway/tasks/get-task";

export const dynamic = "force-dynamic";
export const GET = gatewayRoute(getTask);
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
