// Any other /v1 path — a 404 in OpenAI's shape rather than the portal's HTML page
import { AppError } from "@/lib/errors";
import { errorResponse, newRequestId } from "@/lib/gateway/http";

const notFound = async (req: Request) =>
  errorResponse(new AppError("not_found", `Unknown endpoint: ${req.method} ${new URL(req.url).pathname}`), newRequestId());

export const dynamic = "force-dynamic";
export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
