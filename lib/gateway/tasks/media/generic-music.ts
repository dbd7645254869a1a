// A generic submit-and-poll music API: `POST {base}/music` → `{id}`, `GET {base}/music/{id}` →
// `{status, audio_url}` (status "queued" | "running" | "succeeded" | "failed"), then the audio from
// audio_url (absolute, or relative to the base). Used for MUSIC models of an OPENAI_COMPATIBLE provider.
import { getUpstream, postJson, readBytes, readJson } from "../../providers/http";
import { ProviderError } from "../../providers/types";
import { mediaEndpoint } from "./endpoint";
import { MAX_RESULT_BYTES, type MediaPoll, type MediaProvider } from "./types";

interface MusicJob {
  id?: string;
  status?: string;
  audio_url?: string | null;
  error?: { message?: string } | string | null;
}

export const genericMusic: MediaProvider = {
  async submit(job, signal) {
    const { url, headers } = mediaEndpoint(job.model, "/music");
    const body: Record<string, unknown> = { model: job.model.upstreamModel, prompt: job.prompt };
    if (job.seconds !== undefined) body.duration = job.seconds;
    const res = await postJson({ url, headers: { ...headers, "idempotency-key": job.taskId }, body, signal });
    const created = await readJson<MusicJob>(res);
    if (!created.id) throw new ProviderError({ kind: "http", status: 502, message: "the provider's music job has no id" });
    return { jobId: String(created.id) };
  },

  async poll(job, jobId, signal): Promise<MediaPoll> {
    const { url, headers } = mediaEndpoint(job.model, `/music/${encodeURIComponent(jobId)}`);
    const state = await readJson<MusicJob>(await getUpstream({ url, headers, signal }));
    if (state.status === "failed" || state.status === "error") {
      const message = typeof state.error === "string" ? state.error : state.error?.message;
      return { state: "failed", code: "generation_failed", message: message ?? "The provider failed to generate the music." };
    }
    if (state.status !== "succeeded" && state.status !== "completed") return { state: "pending" };
    if (!state.audio_url) throw new ProviderError({ kind: "http", status: 502, message: "the provider's finished music job has no audio_url" });
    const audioUrl = new URL(state.audio_url, url).toString();
    // Send the provider's key only to the provider's own origin (audio may be on a CDN).
    const sameOrigin = new URL(audioUrl).origin === new URL(url).origin;
    const res = await getUpstream({ url: audioUrl, headers: sameOrigin ? headers : {}, signal });
    const contentType = String(res.headers["content-type"] ?? "audio/mpeg").split(";")[0]!.trim();
    return { state: "succeeded", content: await readBytes(res, MAX_RESULT_BYTES), contentType };
  },
};
