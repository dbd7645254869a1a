import { db } from "@/lib/db";

export interface ModelOption {
  id: string;
  displayName: string;
  type: "CHAT" | "EMBEDDING" | "IMAGE" | "VIDEO" | "MUSIC";
}

/** The models people can use (and restrict a key to), in a stable order. No prices or provider details. */
export async function listModels(): Promise<ModelOption[]> {
  return db.model.findMany({
    where: { enabled: true, provider: { enabled: true } },
    orderBy: [{ type: "asc" }, { id: "asc" }],
    select: { id: true, displayName: true, type: true },
  });
}
