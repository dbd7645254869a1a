// POST /v1/music — hold the task's price and queue an async music task (the runner does the work)
import { gatewayRoute, otherMethods } from "@/lib/gateway/route";
import { submitMusic } from "@/lib/gateway/tasks/submit-task";

export const dynamic = "force-dynamic";
export const POST = gatewayRoute(submitMusic);
export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
