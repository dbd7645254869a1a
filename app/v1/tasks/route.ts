// GET /v1/tasks — the key owner's tasks, newest first, cursor-paginated (?limit=&after=)
import { gatewayRoute, otherMethods } from "@/lib/gateway/route";
import { listTasks } from "@/lib/gateway/tasks/list-tasks";

export const dynamic = "force-dynamic";
export const GET = gatewayRoute(listTasks);
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
