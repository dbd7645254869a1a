// The usage record's note for a chat request whose output the gateway capped (x-max-tokens-capped, docs/api.md):
// written at settlement, read back by the request log. Both ends live here so the text and its reading agree;
// no column of its own (the note already says what was unusual about a request).

const CAPPED = /(?:^|; )(?:Output capped at (\d+) tokens|max_tokens capped at (\d+)) by the balance(?:;|$)/;

export function cappedNote(tokens: number): string {
  return `Output capped at ${tokens} tokens by the balance`;
}

/** A request's note with the cap added (the cap is kept when the request has a note of its own, e.g. a disconnect). */
export function withCappedNote(note: string | null, cappedAt: number | null): string | null {
  if (cappedAt === null) return note;
  return note ? `${cappedNote(cappedAt)}; ${note}` : cappedNote(cappedAt);
}

/** The output cap a note records, or null (older records said "max_tokens capped at N by the balance"). */
export function cappedOutputTokens(note: string | null): number | null {
  const match = note ? CAPPED.exec(note) : null;
  if (!match) return null;
  return Number(match[1] ?? match[2]);
}
