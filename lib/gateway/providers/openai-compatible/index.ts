// Any OpenAI-compatible upstream (OpenAI, OpenRouter, Together, Groq, DeepSeek, vLLM, Ollama…):
// same paths, same bodies, bearer auth. Chunks are parsed only enough to meter them.
import { providerSecret } from "@/lib/env.js";
import type { ChatCompletion, ChatCompletionChunk } from "../../chat/schema";
import type { EmbeddingResponse } from "../../embeddings/schema";
import type { ImagesResponse } from "../../images/schema";
import type { GatewayModel } from "../../models";
import { postJson, readJson, sseData } from "../http";
import { ProviderError, type Provider } from "../types";

function endpoint(model: GatewayModel, path: string): { url: string; headers: Record<string, string> } {
  if (!model.baseUrl) throw new ProviderError({ kind: "connection", message: `provider ${model.providerId} has no base URL` });
  const secret = providerSecret(model.apiKeyEnv);
  if (model.apiKeyEnv && !secret) {
    throw new ProviderError({ kind: "connection", message: `provider ${model.providerId} is missing its key (${model.apiKeyEnv} is not set)` });
  }
  return { url: `${model.baseUrl.replace(/\/+$/, "")}${path}`, headers: secret ? { authorization: `Bearer ${secret}` } : {} };
}

export const openAICompatible: Provider = {
  async complete(call) {
    const res = await postJson({ ...endpoint(call.model, "/chat/completions"), body: { ...call.body, stream: false }, signal: call.signal });
    return readJson<ChatCompletion>(res);
  },

  async *stream(call) {
    const res = await postJson({ ...endpoint(call.model, "/chat/completions"), body: { ...call.body, stream: true }, signal: call.signal });
    for await (const { data } of sseData(res)) {
      if (data === "[DONE]") return;
      let chunk: ChatCompletionChunk & { error?: { message?: string } };
      try {
        chunk = JSON.parse(data);
      } catch {
        throw new ProviderError({ kind: "connection", message: "the provider sent a malformed stream chunk" });
      }
      if (chunk.error) throw new ProviderError({ kind: "http", status: 502, message: chunk.error.message ?? "the provider reported an error mid-stream" });
      if (!Array.isArray(chunk.choices)) chunk.choices = [];
      yield chunk;
    }
  },

  async embed(call) {
    const res = await postJson({ ...endpoint(call.model, "/embeddings"), body: call.body, signal: call.signal });
    return readJson<EmbeddingResponse>(res);
  },

  async generateImages(call) {
    const res = await postJson({ ...endpoint(call.model, "/images/generations"), body: call.body, signal: call.signal });
    return readJson<ImagesResponse>(res);
  },
};
