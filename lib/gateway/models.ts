// Models and prices, cached in memory: every /v1 request needs its model, and prices change rarely.
// A NOTIFY from the models/providers triggers drops the cache on every instance at once.
import { db } from "@/lib/db";
import { listening, subscribe } from "@/lib/notifications";

export type ModelKind = "CHAT" | "EMBEDDING" | "IMAGE" | "VIDEO" | "MUSIC";

export interface GatewayModel {
  id: string;
  type: ModelKind;
  providerId: string;
  providerKind: "SANDBOX" | "OPENAI_COMPATIBLE" | "ANTHROPIC";
  baseUrl: string | null;
  apiKeyEnv: string | null;
  upstreamModel: string;
  displayName: string;
  description: string;
  inputPerMtokMicros: bigint | null;
  outputPerMtokMicros: bigint | null;
  perImageMicros: bigint | null;
  perTaskMicros: bigint | null;
  contextWindow: number | null;
  maxOutputTokens: number | null;
  createdAt: Date;
  /** A second provider to call when this one fails before any output (pipeline's withFallback); only an enabled one. */
  fallback: Pick<GatewayModel, "providerId" | "providerKind" | "baseUrl" | "apiKeyEnv" | "upstreamModel"> | null;
}

/** The same model (id, type, prices) served by its fallback provider. */
export function viaFallback(model: GatewayModel): GatewayModel | null {
  return model.fallback ? { ...model, ...model.fallback, fallback: null } : null;
}

const TTL_LISTENING_MS = 60_000;
const TTL_FALLBACK_MS = 1_000;

const g = globalThis as unknown as { __mwModels?: { loadedAt: number; byId: Map<string, GatewayModel> } | null; __mwModelsSub?: boolean };

async function load(): Promise<Map<string, GatewayModel>> {
  if (!g.__mwModelsSub) {
    g.__mwModelsSub = true;
    subscribe("models_changed", () => (g.__mwModels = null));
  }
  const cached = g.__mwModels;
  const ttl = listening() ? TTL_LISTENING_MS : TTL_FALLBACK_MS;
  if (cached && Date.now() - cached.loadedAt < ttl) return cached.byId;
  const rows = await db.model.findMany({
    where: { enabled: true, provider: { enabled: true } },
    include: {
      provider: { select: { kind: true, baseUrl: true, apiKeyEnv: true } },
      fallbackProvider: { select: { id: true, kind: true, baseUrl: true, apiKeyEnv: true, enabled: true } },
    },
    orderBy: { id: "asc" },
  });
  const byId = new Map(
    rows.map((m) => [
      m.id,
      {
        id: m.id,
        type: m.type,
        providerId: m.providerId,
        providerKind: m.provider.kind,
        baseUrl: m.provider.baseUrl,
        apiKeyEnv: m.provider.apiKeyEnv,
        upstreamModel: m.upstreamModel,
        displayName: m.displayName,
        description: m.description,
        inputPerMtokMicros: m.inputPerMtokMicros,
        outputPerMtokMicros: m.outputPerMtokMicros,
        perImageMicros: m.perImageMicros,
        perTaskMicros: m.perTaskMicros,
        contextWindow: m.contextWindow,
        maxOutputTokens: m.maxOutputTokens,
        createdAt: m.createdAt,
        fallback:
          m.fallbackProvider?.enabled && m.fallbackUpstreamModel
            ? {
                providerId: m.fallbackProvider.id,
                providerKind: m.fallbackProvider.kind,
                baseUrl: m.fallbackProvider.baseUrl,
                apiKeyEnv: m.fallbackProvider.apiKeyEnv,
                upstreamModel: m.fallbackUpstreamModel,
              }
            : null,
      } satisfies GatewayModel,
    ]),
  );
  g.__mwModels = { loadedAt: Date.now(), byId };
  return byId;
}

/** The enabled models, by id. */
export async function enabledModels(): Promise<GatewayModel[]> {
  return [...(await load()).values()];
}

export async function findModel(id: string): Promise<GatewayModel | undefined> {
  return (await load()).get(id);
}

export function invalidateModels(): void {
  g.__mwModels = null;
}
