// Escaping of user text before it is echoed in a message: a config key or value may carry
// terminal escape sequences (ESC [2J clears the operator's screen), NUL, line breaks that
// forge extra "FILE:LINE:COL" lines, or bidi overrides that make a name read differently.
// Such characters are written as \xNN / \uNNNN; ordinary text, Unicode included, is kept.

// C0 controls, DEL, C1 controls, the line/paragraph separators, bidi embeddings and
// isolates, zero-width characters and the BOM.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
