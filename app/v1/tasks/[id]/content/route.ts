// GET /v1/tasks/{id}/content — the result bytes, for the owner's API key or a signed, expiring URL
import { taskContent } from "@/lib/gateway/tasks/content";
import { otherMethods } from "@/lib/gateway/route";

export const dynamic = "force-dynamic";
export const GET = taskContent;
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
