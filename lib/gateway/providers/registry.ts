// Maps a model's provider kind to its adapter.
import type { GatewayModel } from "../models";
import { anthropic } from "./anthropic";
import { openAICompatible } from "./openai-compatible";
import { sandbox } from "./sandbox";
import type { Provider } from "./types";

const adapters: Record<GatewayModel["providerKind"], Provider> = {
  SANDBOX: sandbox,
  OPENAI_COMPATIBLE: openAICompatible,
  ANTHROPIC: anthropic,
};

export function providerFor(model: GatewayModel): Provider {
  return adapters[model.providerKind];
}
