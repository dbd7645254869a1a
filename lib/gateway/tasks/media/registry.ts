// The media adapter for a model: by provider kind and model type (no new provider kinds, so the
// admin console's provider forms keep working): the sandbox, or for an OPENAI_COMPATIBLE provider
// OpenAI's videos API (VIDEO) or the generic submit-and-poll music API (MUSIC).
import type { GatewayModel } from "../../models";
import { genericMusic } from "./generic-music";
import { openAIVideo } from "./openai-video";
import { sandboxMedia } from "./sandbox";
import type { MediaProvider } from "./types";

export function mediaProviderFor(model: GatewayModel): MediaProvider | null {
  if (model.type !== "VIDEO" && model.type !== "MUSIC") return null;
  if (model.providerKind === "SANDBOX") return sandboxMedia;
  if (model.providerKind === "OPENAI_COMPATIBLE") return model.type === "VIDEO" ? openAIVideo : genericMusic;
  return null;
}
