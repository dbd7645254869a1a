import { db } from "@/lib/db";

export interface ModelPrice {
  id: string;
  displayName: string;
  description: string;
  type: "CHAT" | "EMBEDDING" | "IMAGE" | "VIDEO" | "MUSIC";
  inputPerMtokMicros: bigint | null;
  outputPerMtokMicros: bigint | null;
  perImageMicros: bigint | null;
  perTaskMicros: bigint | null;
  contextWindow: number | null;
}

/** The public catalog with prices (the same models and prices as GET /v1/models), in a stable order. */
export async function listModelPrices(): Promise<ModelPrice[]> {
  return db.model.findMany({
    where: { enabled: true, provider: { enabled: true } },
    orderBy: [{ type: "asc" }, { id: "asc" }],
    select: {
      id: true,
      displayName: true,
      description: true,
      type: true,
      inputPerMtokMicros: true,
      outputPerMtokMicros: true,
      perImageMicros: true,
      perTaskMicros: true,
      contextWindow: true,
    },
  });
}
