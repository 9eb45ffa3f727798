// Error text without the values it quotes (CONTRACT §14, docs/operations.md "Erasure"): an
// engine's error about a refused row or a statement quotes the row's values ("Cannot parse
// string 'reason …' as UInt8 … In scope SELECT toUInt8('reason …')"). What is kept for
// operators (a dead letter's failedReason and stacktrace, logs) keeps the error's code, type
// and wording, never a quoted value, so no erasure has to find it there later.

/** A quoted span ('…', "…" or `…`, backslash escapes and doubled quotes inside), or a quote left open to the end of its line. */
const QUOTED = /'(?:[^'\\\n]|\\.|'')*(?:'|$)|"(?:[^"\\\n]|\\.|"")*(?:"|$)|`(?:[^`\\\n]|\\.|``)*(?:`|$)/gm;

/** `text` with every quoted span emptied to `'…'` (its quote kept, so the shape still reads). */
export function redactQuoted(text: string): string {
  return text.replace(QUOTED, (span) => `${span[0]}…${span[0]}`);
}

/**
 * An error to keep instead of `err`: same name, its `code`/`type` (ClickHouse's, an AppError's)
 * in front of its message, quoted values redacted in the message and in the stack (whose frames
 * are code locations, kept). The cause is dropped: its text may quote values too.
 */
export function redactedError(err: unknown): Error {
  const source = err instanceof Error ? err : new Error(String(err));
  const { code, type } = source as { code?: unknown; type?: unknown };
  const tag =
    code !== undefined && code !== null && code !== ''
      ? `Code: ${String(code)}${typeof type === 'string' && type !== '' ? ` (${type})` : ''}. `
      : '';
  const message = tag + redactQuoted(source.message);
  const out = new Error(message);
  out.name = source.name;
  const frames = (source.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  out.stack = [`${out.name}: ${message}`, ...frames.map(redactQuoted)].join('\n');
  if (code !== undefined) Object.assign(out, { code });
  return out;
}
