// sandbox/video and sandbox/music: real media made locally after a delay, no network. The job id
// carries when the result is ready, so a restarted runner resumes polling the same job.
// Markers in the prompt (docs/api.md): `[sandbox:fail]` makes the job fail, `[sandbox:delay=ms]` sets the delay.
import { createHash } from "node:crypto";
import { env } from "@/lib/env.js";
import { encodeGif } from "./gif";
import type { MediaJob, MediaPoll, MediaProvider } from "./types";
import { melodyWav } from "./wav";

/** Submissions per task id in this process (tests count them to prove a task is never sent twice). */
export const sandboxSubmissions = new Map<string, number>();

function delayOf(prompt: string): number {
  const m = /\[sandbox:delay=(\d{1,7})\]/.exec(prompt);
  return m ? Number(m[1]) : env.SANDBOX_MEDIA_DELAY_MS;
}

export function drawGif(prompt: string, width = 96, height = 64, frames = 16): Buffer {
  const h = createHash("sha256").update(prompt).digest();
  const mix = (a: number, b: number, t: number) => Math.round(a + (b - a) * t);
  const [r1, g1, b1, r2, g2, b2] = [h[0]!, h[1]!, h[2]!, h[3]!, h[4]!, h[5]!];
  const palette: [number, number, number][] = [];
  for (let i = 0; i < 8; i++) palette.push([mix(r1, r2, i / 7), mix(g1, g2, i / 7), mix(b1, b2, i / 7)]);
  for (let i = 0; i < 8; i++) palette.push([mix(255 - r1, 255, i / 10), mix(255 - g1, 255, i / 10), mix(255 - b1, 255, i / 10)]);
  const radius = Math.round(height / 5);
  const out: Uint8Array[] = [];
  for (let f = 0; f < frames; f++) {
    const phase = f / frames;
    const cx = Math.round(radius + (width - 2 * radius) * (0.5 - 0.5 * Math.cos(2 * Math.PI * phase)));
    const cy = Math.round(height / 2 + (height / 2 - radius) * Math.sin(4 * Math.PI * phase) * 0.8);
    const frame = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const d = Math.hypot(x - cx, y - cy);
        frame[y * width + x] = d < radius ? 8 + Math.min(7, Math.floor((d / radius) * 8)) : Math.min(7, Math.floor(((x + y) / (width + height)) * 8));
      }
    }
    out.push(frame);
  }
  return encodeGif(width, height, palette, out, 8);
}

export const sandboxMedia: MediaProvider = {
  async submit(job: MediaJob) {
    sandboxSubmissions.set(job.taskId, (sandboxSubmissions.get(job.taskId) ?? 0) + 1);
    return { jobId: `sandbox-${job.kind.toLowerCase()}:${Date.now() + delayOf(job.prompt)}` };
  },
  async poll(job: MediaJob, jobId: string): Promise<MediaPoll> {
    const readyAt = Number(jobId.split(":")[1]);
    if (Date.now() < readyAt) return { state: "pending" };
    if (job.prompt.includes("[sandbox:fail]")) {
      return { state: "failed", code: "generation_failed", message: "The sandbox failed this task as asked ([sandbox:fail])." };
    }
    if (job.kind === "VIDEO") return { state: "succeeded", content: drawGif(job.prompt), contentType: "image/gif" };
    return { state: "succeeded", content: melodyWav(job.prompt, Math.min(job.seconds ?? 4, 30)), contentType: "audio/wav" };
  },
};
