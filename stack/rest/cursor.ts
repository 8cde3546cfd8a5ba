/**
 * A small parser-combinator cursor with Parsec's error semantics, so the URL grammar (grammar.ts)
 * fails where PostgREST's Parsec parser fails and says what it says: the position of the failure
 * and its "unexpected ... expecting ..." list. Every reply knows whether it consumed input and
 * carries the error it would report; alternatives and sequences merge those errors as Parsec does
 * (the furthest position wins, ties are joined), which is what makes the wording come out right.
 */

/** Parsec's message kinds, in the order it sorts them when it shows an error. */
const Kind = { SysUnExpect: 0, UnExpect: 1, Expect: 2, Message: 3 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

/** `text` as it is, or (rendered only when an error is shown) Haskell's `show` of it as a string or a character */
const Show = { Raw: 0, String: 1, Char: 2 } as const;
type Show = (typeof Show)[keyof typeof Show];

interface Msg {
  kind: Kind;
  text: string;
  show: Show;
}

const msg = (kind: Kind, text: string, show: Show = Show.Raw): Msg => ({ kind, text, show });
const render = (m: Msg) => (m.show === Show.String ? showString(m.text) : m.show === Show.Char ? showTokenChar(m.text) : m.text);

export interface ParseError {
  /** index into the input's characters (code points) */
  pos: number;
  msgs: Msg[];
}

export type Reply<T> =
  | { ok: true; consumed: boolean; value: T; pos: number; err: ParseError }
  | { ok: false; consumed: boolean; err: ParseError };

/** A parser reads `input` (an array of code points) from `pos`. */
export type Parser<T> = (input: string[], pos: number) => Reply<T>;

const unknown = (pos: number): ParseError => ({ pos, msgs: [] });
const isUnknown = (e: ParseError) => e.msgs.length === 0;

function merge(a: ParseError, b: ParseError): ParseError {
  // a meaningful error beats an empty one; otherwise the furthest, and at the same place both
  if (isUnknown(b) && !isUnknown(a)) return a;
  if (isUnknown(a) && !isUnknown(b)) return b;
  if (a.pos === b.pos) return { pos: a.pos, msgs: [...a.msgs, ...b.msgs] };
  return a.pos > b.pos ? a : b;
}

/** Replaces every "expecting" of an error with one label (Parsec's `<?>`). */
const expecting = (e: ParseError, text: string): ParseError =>
  ({ pos: e.pos, msgs: [msg(Kind.Expect, text), ...e.msgs.filter((m) => m.kind !== Kind.Expect)] });

const okReply = <T>(value: T, pos: number, consumed: boolean, err: ParseError): Reply<T> => ({ ok: true, consumed, value, pos, err });
const failReply = <T>(err: ParseError, consumed: boolean): Reply<T> => ({ ok: false, consumed, err });

/** Haskell's names of the ASCII control characters, as `show` writes them. */
const ASCII_NAMES = ['NUL', 'SOH', 'STX', 'ETX', 'EOT', 'ENQ', 'ACK', 'a', 'b', 't', 'n', 'v', 'f', 'r', 'SO', 'SI',
  'DLE', 'DC1', 'DC2', 'DC3', 'DC4', 'NAK', 'SYN', 'ETB', 'CAN', 'EM', 'SUB', 'ESC', 'FS', 'GS', 'RS', 'US'];

/** Haskell's `show` of a character inside its quotes, as Parsec quotes what it did not expect. */
function showChar(c: string, quote: '"' | "'"): string {
  const code = c.codePointAt(0)!;
  if (c === '\\') return '\\\\';
  if (c === quote) return `\\${quote}`;
  if (code < 0x20) return `\\${ASCII_NAMES[code]}`;
  if (code === 0x7f) return '\\DEL';
  if (code > 0x7f) return `\\${code}`;
  return c;
}

/**
 * `show` of a string: `"ab"`, with Haskell's escapes (`\&` keeps a numeric escape apart from a
 * following digit, and `\SO` apart from a following "H").
 */
export function showString(s: string): string {
  let out = '';
  const chars = [...s];
  chars.forEach((c, i) => {
    const shown = showChar(c, '"');
    const next = chars[i + 1] ?? '';
    out += shown;
    if ((/^\\\d+$/.test(shown) && isDigit(next)) || (shown === '\\SO' && next === 'H')) out += '\\&';
  });
  return `"${out}"`;
}

/** `show` of one character: `'a'`. */
export const showTokenChar = (c: string) => `'${showChar(c, "'")}'`;

// ---- primitives -------------------------------------------------------------------------------

/** One character satisfying `test`; on a mismatch Parsec names the character it found. */
export const satisfy = (test: (c: string) => boolean): Parser<string> => (input, pos) => {
  if (pos >= input.length) return failReply({ pos, msgs: [msg(Kind.SysUnExpect, '')] }, false);
  const c = input[pos];
  if (!test(c)) return failReply({ pos, msgs: [msg(Kind.SysUnExpect, c, Show.String)] }, false);
  return okReply(c, pos + 1, true, unknown(pos + 1));
};

export const char = (c: string): Parser<string> => label(satisfy((x) => x === c), showString(c));
export const oneOf = (cs: string): Parser<string> => satisfy((x) => cs.includes(x));
export const noneOf = (cs: string): Parser<string> => satisfy((x) => !cs.includes(x));
const LETTER = /^\p{L}$/u;
export const letter: Parser<string> = label(satisfy((c) => isLetter(c)), 'letter');
export const digit: Parser<string> = label(satisfy((c) => isDigit(c)), 'digit');
export const anyChar: Parser<string> = satisfy(() => true);

/**
 * The longest run of characters passing `test` (at least `min`), in one step: what
 * `many`/`many1` over single-character alternatives read, failing or stopping with the same error
 * (the character found, and `expects`, the labels of the alternatives that had one).
 */
export const takeWhile = (test: (c: string) => boolean, expects: string[], min: 0 | 1): Parser<string> => {
  const expected = expects.map((e) => msg(Kind.Expect, e));
  return (input, pos) => {
    let end = pos;
    while (end < input.length && test(input[end])) end++;
    const found = end < input.length ? msg(Kind.SysUnExpect, input[end], Show.String) : msg(Kind.SysUnExpect, '');
    const err = { pos: end, msgs: [found, ...expected] };
    if (end - pos < min) return failReply(err, false);
    return okReply(input.slice(pos, end).join(''), end, end > pos, err);
  };
};

/** Letters as Haskell's `isAlpha` has them. */
export const isLetter = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c > '\u007f' && LETTER.test(c));
export const isDigit = (c: string) => c >= '0' && c <= '9';

/**
 * A literal string. A mismatch after the first character has consumed input, but Parsec reports
 * it where the string started.
 */
export const string = (s: string): Parser<string> => {
  const chars = [...s];
  const shown = showString(s);
  return (input, pos) => {
    for (let i = 0; i < chars.length; i++) {
      const at = pos + i;
      if (at >= input.length || input[at] !== chars[i]) {
        const found = at >= input.length ? msg(Kind.SysUnExpect, '') : msg(Kind.SysUnExpect, input[at], Show.String);
        return failReply({ pos, msgs: [found, msg(Kind.Expect, shown)] }, i > 0);
      }
    }
    return okReply(s, pos + chars.length, chars.length > 0, unknown(pos + chars.length));
  };
};

/** Succeeds at the end of the input; otherwise "unexpected 'c' expecting end of input". */
export const eof: Parser<null> = (input, pos) => {
  if (pos < input.length) return failReply({ pos, msgs: [msg(Kind.UnExpect, input[pos], Show.Char), msg(Kind.Expect, 'end of input')] }, false);
  return okReply(null, pos, false, { pos, msgs: [msg(Kind.SysUnExpect, ''), msg(Kind.Expect, 'end of input')] });
};

export const pure = <T>(value: T): Parser<T> => (_input, pos) => okReply(value, pos, false, unknown(pos));

/** Parsec's `mzero`/`guard False`: fails without a word. */
export const fail = <T>(): Parser<T> => (_input, pos) => failReply(unknown(pos), false);

// ---- combinators ------------------------------------------------------------------------------

export function label<T>(p: Parser<T>, text: string): Parser<T> {
  return (input, pos) => {
    const r = p(input, pos);
    if (r.consumed) return r;
    if (!r.ok) return failReply(expecting(r.err, text), false);
    return isUnknown(r.err) ? r : okReply(r.value, r.pos, false, expecting(r.err, text));
  };
}

export function attempt<T>(p: Parser<T>): Parser<T> {
  return (input, pos) => {
    const r = p(input, pos);
    return !r.ok && r.consumed ? failReply(r.err, false) : r;
  };
}

export function lookAhead<T>(p: Parser<T>): Parser<T> {
  return (input, pos) => {
    const r = p(input, pos);
    return r.ok ? okReply(r.value, pos, false, unknown(pos)) : r;
  };
}

/** Left-biased choice: the next alternative runs only if the previous failed without consuming. */
export function alt<T>(...ps: Array<Parser<T>>): Parser<T> {
  return (input, pos) => {
    let err: ParseError | undefined;
    for (const p of ps) {
      const r = p(input, pos);
      if (r.consumed) return r;
      const merged = err ? merge(err, r.err) : r.err;
      if (r.ok) return okReply(r.value, r.pos, false, merged);
      err = merged;
    }
    return failReply(err ?? unknown(pos), false);
  };
}

export const map = <T, U>(p: Parser<T>, f: (v: T) => U): Parser<U> => (input, pos) => {
  const r = p(input, pos);
  return r.ok ? okReply(f(r.value), r.pos, r.consumed, r.err) : r;
};

export const option = <T>(fallback: T, p: Parser<T>): Parser<T> => alt(p, pure(fallback));
export const optional = <T>(p: Parser<T>): Parser<T | undefined> => alt<T | undefined>(p, pure(undefined));

/**
 * One run of a `seq`: where it is, whether it consumed, and the error it would merge. After a step
 * fails, the following steps do nothing and give `undefined`; the sequence then answers with the
 * failure and its value is dropped (no exception: parsing fails and backtracks all the time).
 */
export class Steps {
  consumed = false;
  pending: ParseError;
  failure: Reply<never> | undefined;

  constructor(private readonly input: string[], public pos: number) {
    this.pending = unknown(pos);
  }

  /** p's value, or (when p fails) the sequence's failure, merged as Parsec's bind merges it */
  run<U>(p: Parser<U>): U {
    if (this.failure) return undefined as U;
    const r = p(this.input, this.pos);
    if (r.consumed) {
      if (!r.ok) {
        this.failure = failReply(r.err, true);
        return undefined as U;
      }
      this.consumed = true;
      this.pending = r.err;
      this.pos = r.pos;
      return r.value;
    }
    const err = isUnknown(this.pending) ? r.err : merge(this.pending, r.err);
    if (!r.ok) {
      this.failure = failReply(err, this.consumed);
      return undefined as U;
    }
    this.pending = err;
    this.pos = r.pos;
    return r.value;
  }
}

/**
 * Runs steps in order, as a Parsec `do` block (`s.run(p)` for each), the errors of steps that
 * consumed nothing merged the way Parsec's bind merges them. Once a step has failed the body's
 * values are `undefined` and whatever it makes of them is dropped.
 */
export function seq<T>(body: (s: Steps) => T): Parser<T> {
  return (input, start) => {
    const s = new Steps(input, start);
    let value: T;
    try {
      value = body(s);
    } catch (e) {
      // a body that tripped over the undefined of a failed step
      if (s.failure) return s.failure;
      throw e;
    }
    return s.failure ?? okReply(value, s.pos, s.consumed, s.pending);
  };
}

export function many<T>(p: Parser<T>): Parser<T[]> {
  return (input, start) => {
    const out: T[] = [];
    let pos = start;
    for (;;) {
      const r = p(input, pos);
      if (!r.ok) return r.consumed ? r : okReply(out, pos, pos !== start || out.length > 0, r.err);
      if (!r.consumed) throw new Error('many applied to a parser that accepts an empty string');
      out.push(r.value);
      pos = r.pos;
    }
  };
}

export const many1 = <T>(p: Parser<T>): Parser<T[]> => {
  const rest = many(p);
  return seq((s) => [s.run(p), ...(s.run(rest) ?? [])]);
};

export const sepBy1 = <T, S>(p: Parser<T>, sep: Parser<S>): Parser<T[]> => {
  const rest = many(seq((s) => (s.run(sep), s.run(p))));
  return seq((s) => [s.run(p), ...(s.run(rest) ?? [])]);
};

export const sepBy = <T, S>(p: Parser<T>, sep: Parser<S>): Parser<T[]> => alt(sepBy1(p, sep), pure([] as T[]));

export const between = <T>(open: Parser<unknown>, close: Parser<unknown>, p: Parser<T>): Parser<T> =>
  seq((s) => {
    s.run(open);
    const v = s.run(p);
    s.run(close);
    return v;
  });

/** Succeeds (consuming nothing) when p fails here; otherwise "unexpected <what p read>". */
export function notFollowedBy(p: Parser<string>): Parser<null> {
  const tried = attempt(p);
  return (input, pos) => {
    const r = tried(input, pos);
    if (r.ok) return failReply({ pos: r.pos, msgs: [msg(Kind.UnExpect, r.value, Show.Char)] }, false);
    return okReply(null, pos, false, isUnknown(r.err) ? unknown(pos) : r.err);
  };
}

// ---- running and reporting --------------------------------------------------------------------

/** Line and column of a character index, as Parsec advances them (tabs to the next multiple of 8). */
export function lineColumn(input: string[], index: number): { line: number; column: number } {
  let line = 1;
  let column = 1;
  for (let i = 0; i < index && i < input.length; i++) {
    if (input[i] === '\n') {
      line++;
      column = 1;
    } else if (input[i] === '\t') column += 8 - ((column - 1) % 8);
    else column++;
  }
  return { line, column };
}

/** Parsec's `showErrorMessages "or" "unknown parse error" "expecting" "unexpected" "end of input"`, on one line. */
export function describe(err: ParseError): string {
  const msgs = [...err.msgs].sort((a, b) => a.kind - b.kind);
  if (!msgs.length) return 'unknown parse error';
  const of = (k: Kind) => msgs.filter((m) => m.kind === k).map(render);
  const clean = (xs: string[]) => [...new Set(xs.filter((x) => x !== ''))];
  const commasOr = (xs: string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}`);
  const showMany = (pre: string, xs: string[]) => {
    const ms = clean(xs);
    if (!ms.length) return '';
    return pre ? `${pre} ${commasOr(ms)}` : commasOr(ms);
  };
  const sys = of(Kind.SysUnExpect);
  const unexp = of(Kind.UnExpect);
  const sysText = unexp.length || !sys.length ? '' : `unexpected ${sys[0] === '' ? 'end of input' : sys[0]}`;
  const parts = clean([sysText, showMany('unexpected', unexp), showMany('expecting', of(Kind.Expect)), showMany('', of(Kind.Message))]);
  return parts.join(' ').trim();
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; line: number; column: number; details: string };

/** Runs a parser over a whole string (trailing input is the grammar's business, as in Parsec). */
export function run<T>(p: Parser<T>, text: string): Outcome<T> {
  const input = [...text];
  const r = p(input, 0);
  if (r.ok) return { ok: true, value: r.value };
  return { ok: false, ...lineColumn(input, r.err.pos), details: describe(r.err) };
}
