// Shared by server pages and client charts (a "use client" module's plain values don't reach server components).
export const TYPE_LABELS: Record<string, string> = { CHAT: "Chat", EMBEDDING: "Embeddings", IMAGE: "Images", VIDEO: "Video", MUSIC: "Music", OTHER: "Other" };
