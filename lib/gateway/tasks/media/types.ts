// What an async media adapter implements: submit a job, then poll it until it has a result. The task
// runner owns leases, holds and settlement; an adapter only speaks its upstream's protocol and reports
// failures as ProviderError (thrown: maybe transient) or { state: "failed" } (the job itself failed).
import type { GatewayModel } from "../../models";

export interface MediaJob {
  taskId: string;
  kind: "VIDEO" | "MUSIC";
  model: GatewayModel;
  prompt: string;
  /** Requested length in seconds, when the client gave one. */
  seconds?: number;
  size?: string;
}

export type MediaPoll =
  | { state: "pending"; progress?: number }
  | { state: "failed"; code: string; message: string }
  | { state: "succeeded"; content: Buffer; contentType: string };

export interface MediaProvider {
  /** Starts the job upstream; returns the upstream's job id, stored so a restarted runner resumes polling. */
  submit(job: MediaJob, signal: AbortSignal): Promise<{ jobId: string }>;
  poll(job: MediaJob, jobId: string, signal: AbortSignal): Promise<MediaPoll>;
}

/** Largest result accepted from an upstream (stored in the database). */
export const MAX_RESULT_BYTES = 200 * 1024 * 1024;
