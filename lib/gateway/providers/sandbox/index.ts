// The built-in sandbox provider: every model type answered locally, deterministically.
import type { Provider } from "../types";
import { sandboxChat } from "./chat";
import { sandboxEmbed } from "./embed";
import { sandboxImages } from "./image";

export const sandbox: Provider = { ...sandboxChat, embed: sandboxEmbed, generateImages: sandboxImages };
