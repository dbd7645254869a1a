// Keyset cursors for the usage log: (createdAt, id) of the last row of a page, opaque to the browser.
import { AppError } from "@/lib/errors";

export interface UsageCursor {
  createdAt: Date;
  id: string;
}

export function encodeCursor(cursor: UsageCursor): string {
  return Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`, "utf8").toString("base64url");
}

export function decodeCursor(text: string): UsageCursor {
  const [iso, id] = Buffer.from(text, "base64url").toString("utf8").split("|");
  const createdAt = new Date(iso ?? "");
  if (!id || !/^[0-9a-f-]{36}$/i.test(id) || Number.isNaN(createdAt.getTime())) {
    throw new AppError("invalid_request", "That page link is no longer valid.", { param: "cursor" });
  }
  return { createdAt, id };
}
