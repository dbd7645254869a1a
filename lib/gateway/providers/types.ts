// What a provider adapter implements. The gateway owns auth, holds, metering and settlement; an
// adapter only speaks its upstream's protocol and reports failures as ProviderError.
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from "../chat/schema";
import type { GatewayModel } from "../models";

export interface ChatCall {
  model: GatewayModel;
  /** The client's body with `model` set to the upstream name, output capped, usage requested. */
  body: ChatRequest;
  signal: AbortSignal;
}

export interface ChatProvider {
  complete(call: ChatCall): Promise<ChatCompletion>;
  /** Chunks as they arrive. The last chunk carries `usage` when the upstream reports it. */
  stream(call: ChatCall): AsyncIterable<ChatCompletionChunk>;
}

export type ProviderFailure =
  | { kind: "http"; status: number; message: string; type?: string; code?: string | null; param?: string | null }
  | { kind: "timeout"; message: string }
  | { kind: "connection"; message: string };

export class ProviderError extends Error {
  constructor(readonly failure: ProviderFailure) {
    super(failure.message);
    this.name = "ProviderError";
  }
}
