// POST /v1/videos — hold the task's price and queue an async video task (the runner does the work)
import { gatewayRoute, otherMethods } from "@/lib/gateway/route";
import { submitVideo } from "@/lib/gateway/tasks/submit-task";

export const dynamic = "force-dynamic";
export const POST = gatewayRoute(submitVideo);
export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
