/** "an embedding", "a chat": the indefinite article and the word (for messages). */
export function article(word: string): string {
  return /^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`;
}

/** "a chat model", "an image model": a model type as a message names it. */
export function aModelOf(type: string): string {
  return `${article(type.toLowerCase())} model`;
}

/** The text with its first letter upper-case, to start a sentence. */
export function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
