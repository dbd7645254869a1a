// A media provider's URL and auth, configured like the other providers (base URL, secret by variable name).
import { providerSecret } from "@/lib/env.js";
import type { GatewayModel } from "../../models";
import { ProviderError } from "../../providers/types";

export function mediaEndpoint(model: GatewayModel, path: string): { url: string; headers: Record<string, string> } {
  if (!model.baseUrl) throw new ProviderError({ kind: "http", status: 400, message: `provider ${model.providerId} has no base URL` });
  const secret = providerSecret(model.apiKeyEnv);
  if (model.apiKeyEnv && !secret) {
    throw new ProviderError({ kind: "connection", message: `provider ${model.providerId} is missing its key (${model.apiKeyEnv} is not set)` });
  }
  return { url: `${model.baseUrl.replace(/\/+$/, "")}${path}`, headers: secret ? { authorization: `Bearer ${secret}` } : {} };
}
