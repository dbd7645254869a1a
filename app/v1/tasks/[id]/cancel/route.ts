// POST /v1/tasks/{id}/cancel — stop an open task and release its hold (nothing charged)
import { gatewayRoute, otherMethods } from "@/lib/gateway/route";
import { cancelTask } from "@/lib/gateway/tasks/cancel-task";

export const dynamic = "force-dynamic";
export const POST = gatewayRoute(cancelTask);
export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
