// POST /v1/videos — hold the task's price and queue an async video task (the runner does the work)
import { gatewayRoute } from "@/lib/gateway/route";
import { submitVideo } from "@/lib/gateway/tasks/submit-task";

export const dynamic = "force-dynamic";
export const POST = gatewayRoute(submitVideo);
