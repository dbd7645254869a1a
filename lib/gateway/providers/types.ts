// What a provider adapter implements. The gateway owns auth, holds, metering and settlement; an
// adapter only speaks its upstream's protocol and reports failures as ProviderError.
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from "../chat/schema";
import type { EmbeddingRequest, EmbeddingResponse } from "../embeddings/schema";
import type { ImageRequest, ImagesResponse } from "../images/schema";
import type { GatewayModel } from "../models";

export interface Call<Body> {
  model: GatewayModel;
  /** The client's body with `model` set to the upstream name (and, for chat, output capped, usage requested). */
  body: Body;
  signal: AbortSignal;
}
export type ChatCall = Call<ChatRequest>;

export interface Provider {
  complete(call: ChatCall): Promise<ChatCompletion>;
  /** Chunks as they arrive. The last chunk carries `usage` when the upstream reports it. */
  stream(call: ChatCall): AsyncIterable<ChatCompletionChunk>;
  embed?(call: Call<EmbeddingRequest>): Promise<EmbeddingResponse>;
  generateImages?(call: Call<ImageRequest>): Promise<ImagesResponse>;
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
