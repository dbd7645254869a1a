// GET /v1/tasks/{id}/content — a task's result bytes, to its owner (API key) or to whoever holds a
// signed, unexpired URL (so a browser can play it). Expired results answer 410 gone. Single byte
// ranges are honoured so media elements can seek.
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { verifyKey } from "@/lib/keys/verify-key";
import { errorResponse, newRequestId } from "../http";
import { taskIdFromUrl, verifyContentSignature } from "./task-object";

const EXTENSIONS: Record<string, string> = { "image/gif": "gif", "audio/wav": "wav", "video/mp4": "mp4", "audio/mpeg": "mp3" };

/** The result of the task `id` (of `userId`, when given) as an HTTP response. */
export async function taskContentResponse({ ctx, input }: { ctx: { userId: string | null }; input: { id: string; range: string | null; download: boolean } }): Promise<Response> {
  const task = await db.task.findFirst({
    where: { id: input.id, ...(ctx.userId ? { userId: ctx.userId } : {}) },
    select: { id: true, status: true, resultContentType: true, resultExpiresAt: true },
  });
  if (!task) throw new AppError("not_found", `No task with id '${input.id}'.`);
  if (task.status !== "SUCCEEDED" || !task.resultContentType) throw new AppError("not_found", `The task '${input.id}' has no result.`);
  if (!task.resultExpiresAt || task.resultExpiresAt.getTime() < Date.now()) throw new AppError("gone", "This task's result has expired and was deleted.");
  const stored = await db.taskResult.findUnique({ where: { taskId: task.id } });
  if (!stored) throw new AppError("gone", "This task's result has expired and was deleted.");
  const bytes = Buffer.from(stored.content);
  const filename = `${task.id}.${EXTENSIONS[task.resultContentType] ?? "bin"}`;
  const headers: Record<string, string> = {
    "content-type": task.resultContentType,
    "accept-ranges": "bytes",
    "cache-control": "private, max-age=3600",
    "content-disposition": `${input.download ? "attachment" : "inline"}; filename="${filename}"`,
  };
  const m = input.range ? /^bytes=(\d*)-(\d*)$/.exec(input.range) : null;
  if (m && (m[1] || m[2])) {
    const start = m[1] ? Number(m[1]) : Math.max(0, bytes.length - Number(m[2]));
    const end = m[1] && m[2] ? Math.min(Number(m[2]), bytes.length - 1) : bytes.length - 1;
    if (start > end || start >= bytes.length) return new Response(null, { status: 416, headers: { "content-range": `bytes */${bytes.length}` } });
    return new Response(new Uint8Array(bytes.subarray(start, end + 1)), {
      status: 206,
      headers: { ...headers, "content-range": `bytes ${start}-${end}/${bytes.length}`, "content-length": String(end - start + 1) },
    });
  }
  return new Response(new Uint8Array(bytes), { headers: { ...headers, "content-length": String(bytes.length) } });
}

export async function taskContent(req: Request): Promise<Response> {
  const requestId = newRequestId();
  try {
    const url = new URL(req.url);
    const id = taskIdFromUrl(req, 1);
    let userId: string | null;
    if (url.searchParams.has("sig")) {
      if (!verifyContentSignature(id, url.searchParams.get("expires"), url.searchParams.get("sig"))) {
        throw new AppError("forbidden", "This content link is invalid or has expired. Fetch the task again for a fresh link.");
      }
      userId = null;
    } else {
      userId = (await verifyKey(req.headers)).userId;
    }
    const res = await taskContentResponse({ ctx: { userId }, input: { id, range: req.headers.get("range"), download: url.searchParams.get("download") === "1" } });
    res.headers.set("x-request-id", requestId);
    return res;
  } catch (error) {
    return errorResponse(error, requestId);
  }
}
