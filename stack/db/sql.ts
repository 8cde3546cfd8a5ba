// SQL text for the few places a value cannot travel as a bind parameter (identifiers, settings
// sent with BEGIN in one simple query, change-stream lookups), and the small tokenizer the REST
// and Realtime filter grammars share.

/** An identifier in double quotes, inner quotes doubled: safe for any name, case kept. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * A string literal, inner quotes doubled. With a backslash in it the literal is written as an
 * escape string (` E'…'`, backslashes doubled) so it means the same whatever
 * standard_conforming_strings says; the leading space keeps `E` from joining a preceding word.
 */
export function lit(value: string): string {
  const quoted = value.replace(/'/g, "''");
  return value.includes('\\') ? ` E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}

/**
 * Splits `input` on `sep` where it is outside double quotes (in which `\` escapes the next
 * character) and outside any bracket pair whose opener is in `nesting`.
 */
export function splitTopLevel(input: string, sep = ',', nesting = '([{'): string[] {
  const closers = [...nesting].map((open) => CLOSER[open] ?? '').join('');
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (nesting.includes(ch)) depth++;
    else if (closers.includes(ch)) depth--;
    else if (ch === sep && depth === 0) {
      out.push(input.slice(start, i));
      start = i + 1;
    }
  }
  out.push(input.slice(start));
  return out;
}

const CLOSER: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/** A `"quoted"` value without its quotes and with `\x` unescaped; anything else as it is. */
export function unquote(s: string): string {
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) return s.slice(1, -1).replace(/\\(.)/g, '$1');
  return s;
}
