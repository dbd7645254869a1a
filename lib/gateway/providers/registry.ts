// Maps a model's provider kind to its adapter. Real upstream adapters (openai-compatible, anthropic)
// plug in here.
import { AppError } from "@/lib/errors";
import type { GatewayModel } from "../models";
import { sandboxChat } from "./sandbox/chat";
import type { ChatProvider } from "./types";

export function chatProviderFor(model: GatewayModel): ChatProvider {
  switch (model.providerKind) {
    case "SANDBOX":
      return sandboxChat;
    default:
      throw new AppError("service_unavailable", `The provider for ${model.id} is not available on this server yet.`);
  }
}
