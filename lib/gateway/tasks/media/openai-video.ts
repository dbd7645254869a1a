// An OpenAI-style videos API (OpenAI's /v1/videos and look-alikes): submit `POST {base}/videos`, poll
// `GET {base}/videos/{id}`, download `GET {base}/videos/{id}/content`. Used for VIDEO models of an
// OPENAI_COMPATIBLE provider.
import { getUpstream, postJson, readBytes, readJson } from "../../providers/http";
import { ProviderError } from "../../providers/types";
import { mediaEndpoint } from "./endpoint";
import { MAX_RESULT_BYTES, type MediaPoll, type MediaProvider } from "./types";

interface VideoObject {
  id?: string;
  status?: string;
  progress?: number;
  error?: { code?: string; message?: string } | null;
}

export const openAIVideo: MediaProvider = {
  async submit(job, signal) {
    const { url, headers } = mediaEndpoint(job.model, "/videos");
    const body: Record<string, unknown> = { model: job.model.upstreamModel, prompt: job.prompt };
    if (job.seconds !== undefined) body.seconds = String(job.seconds);
    if (job.size !== undefined) body.size = job.size;
    // The task id as the upstream's idempotency key: a resubmission after a crash is the same job where supported.
    const res = await postJson({ url, headers: { ...headers, "idempotency-key": job.taskId }, body, signal });
    const video = await readJson<VideoObject>(res);
    if (!video.id) throw new ProviderError({ kind: "http", status: 502, message: "the provider's video job has no id" });
    return { jobId: video.id };
  },

  async poll(job, jobId, signal): Promise<MediaPoll> {
    const { url, headers } = mediaEndpoint(job.model, `/videos/${encodeURIComponent(jobId)}`);
    const video = await readJson<VideoObject>(await getUpstream({ url, headers, signal }));
    if (video.status === "failed") {
      return { state: "failed", code: "generation_failed", message: video.error?.message ?? "The provider failed to generate the video." };
    }
    if (video.status !== "completed") return { state: "pending", progress: video.progress };
    const res = await getUpstream({ url: `${url}/content`, headers, signal });
    const contentType = String(res.headers["content-type"] ?? "video/mp4").split(";")[0]!.trim();
    return { state: "succeeded", content: await readBytes(res, MAX_RESULT_BYTES), contentType };
  },
};
