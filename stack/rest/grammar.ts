import {
  alt, anyChar, attempt, between, char, eof, fail as mzero, isDigit, isLetter, label, lookAhead, many, map,
  noneOf, notFollowedBy, option, optional, pure, run, sepBy, sepBy1, seq, string, takeWhile,
  type Parser,
} from './cursor.js';
import { splitTopLevel, unquote } from '../db/sql.js';
import { queryParamError } from './errors.js';

/**
 * PostgREST's URL grammar (docs/references/api/url_grammar.rst; its parser is
 * src/PostgREST/ApiRequest/QueryParams.hs): the `select`, filter, `order`, `and`/`or`, `columns`
 * and `on_conflict` query parameters. Pure functions from strings to a small AST; no database.
 * Built on cursor.ts so that a failure is PostgREST's PGRST100, at the same line and column and
 * with the same "unexpected ... expecting ..." details.
 */

export interface JsonStep {
  arrow: '->' | '->>';
  /** a key, or an array index written as digits (`-1`) */
  key: string;
}

export interface Field {
  name: string;
  json: JsonStep[];
}

/** The aggregate functions PostgREST lets a select apply (docs: aggregate_functions.rst). */
export type Aggregate = 'count' | 'sum' | 'avg' | 'max' | 'min';

export type SelectItem =
  | { kind: 'star' }
  /** `[alias:]field[->path][::cast][.agg()][::aggCast]`; `count()` alone is the field `*` counted */
  | { kind: 'field'; field: Field; alias?: string; cast?: string; aggregate?: Aggregate; aggregateCast?: string }
  | { kind: 'embed'; name: string; alias?: string; hint?: string; join?: 'inner' | 'left'; spread: boolean; select: SelectItem[] };

export type Operator =
  | 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'like' | 'ilike' | 'match' | 'imatch' | 'in' | 'is' | 'isdistinct'
  | 'fts' | 'plfts' | 'phfts' | 'wfts' | 'cs' | 'cd' | 'ov' | 'sl' | 'sr' | 'nxr' | 'nxl' | 'adj';

export const OPERATORS: ReadonlySet<string> = new Set([
  'eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch', 'in', 'is', 'isdistinct',
  'fts', 'plfts', 'phfts', 'wfts', 'cs', 'cd', 'ov', 'sl', 'sr', 'nxr', 'nxl', 'adj',
]);

export interface Condition {
  negated: boolean;
  op: Operator;
  quantifier?: 'any' | 'all';
  /** text search configuration for fts operators */
  language?: string;
  /** the raw value; a list for `in`, and for any/all when it is a `{...}` list (anything else goes to Postgres as it is) */
  value: string | string[];
}

export interface Filter {
  field: Field;
  cond: Condition;
}

export type LogicTree =
  | { kind: 'expr'; negated: boolean; op: 'and' | 'or'; children: LogicTree[] }
  | { kind: 'filter'; path: string[]; filter: Filter };

export interface OrderTerm {
  /** set when ordering by a column of a to-one embedded resource: `rel(col)` */
  relation?: string;
  field: Field;
  direction?: 'asc' | 'desc';
  nulls?: 'first' | 'last';
}

/** PGRST100 as PostgREST words it: `"failed to parse <what> (<input>)" (line L, column C)`. */
const fail = (what: string, input: string, details: string, at?: { line: number; column: number }) =>
  queryParamError(`"failed to parse ${what} (${input})"${at ? ` (line ${at.line}, column ${at.column})` : ''}`, details);

/**
 * Parsed values by their input, shared between requests (clients send the same select, order and
 * and/or trees again and again); frozen, since every request that asks again gets the same value.
 */
class ParseCache<T> {
  private readonly values = new Map<string, T>();

  constructor(private readonly limit = 500) {}

  get(key: string, parse: () => T): T {
    const hit = this.values.get(key);
    if (hit !== undefined) return hit;
    const value = deepFreeze(parse());
    if (key.length <= 4096) {
      if (this.values.size >= this.limit) this.values.delete(this.values.keys().next().value!);
      this.values.set(key, value);
    }
    return value;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function parseWith<T>(p: Parser<T>, what: string, input: string): T {
  const r = run(p, input);
  if (!r.ok) throw fail(what, input, r.details, r);
  return r.value;
}

// ---- names and JSON paths ---------------------------------------------------------------------

const join = (cs: string[] | undefined) => (cs ? cs.join('') : '');
const ws = takeWhile((c) => c === ' ' || c === '\t', [], 0);
const lexeme = <T>(p: Parser<T>): Parser<T> => seq((s) => {
  s.run(ws);
  const v = s.run(p);
  s.run(ws);
  return v;
});
/** `.`, named as PostgREST names it when it is missing */
const delimiter = label(char('.'), 'delimiter (.)');
const after = <T>(first: Parser<unknown>, p: Parser<T>): Parser<T> => seq((s) => (s.run(first), s.run(p)));
const before = <T>(p: Parser<T>, next: Parser<unknown>): Parser<T> => seq((s) => {
  const v = s.run(p);
  s.run(next);
  return v;
});

/** `"..."` with backslash escapes */
const doubleQuote = char('"');
const quotedChars = many(alt(noneOf('\\"'), after(char('\\'), anyChar)));
const quotedValue: Parser<string> = seq((s) => {
  s.run(doubleQuote);
  const cs = s.run(quotedChars);
  s.run(doubleQuote);
  return join(cs);
});

/** `many1 (letter <|> digit <|> oneOf "_ $")`, trimmed */
const identifier: Parser<string> = map(
  takeWhile((c) => isLetter(c) || isDigit(c) || c === '_' || c === ' ' || c === '$', ['letter', 'digit'], 1),
  (name) => name.trim(),
);

/** Names may hold dashes, but a dash starting an arrow (`->`) ends them. */
const minus = char('-');
const noArrowHead = notFollowedBy(char('>'));
const dash = attempt(seq((s) => (s.run(minus), s.run(noArrowHead), '-')));
const sepByDash = (p: Parser<string>) => map(sepBy1(p, dash), (parts) => parts.join('-'));

const fieldName: Parser<string> = label(alt(quotedValue, sepByDash(identifier)), 'field name (* or [a..z0..9_$])');

const jsonKeyName: Parser<string> = label(
  alt(quotedValue, sepByDash(map(takeWhile((c) => !'(-:.,>)'.includes(c), [], 1), (name) => name.trim()))),
  'any non reserved character different from: .,>()',
);

const lookingAt = (s: string) => attempt(lookAhead(string(s)));
/** an index must end where a path, cast, modifier or list may go on */
const indexEnd = alt<unknown>(lookingAt('->'), lookingAt('::'), lookingAt('.'), lookingAt(','), attempt(eof));
const sign = option('', minus);
const digits = takeWhile(isDigit, ['digit'], 1);
const jsonIndex: Parser<string> = seq((s) => {
  const sign_ = s.run(sign);
  const digits_ = s.run(digits);
  s.run(indexEnd);
  return sign_ + (digits_ ?? '');
});
const jsonArrow = alt(attempt(string('->>')), attempt(string('->'))) as Parser<'->' | '->>'>;
const jsonOperand = alt(attempt(jsonIndex), attempt(jsonKeyName));
const jsonPath: Parser<JsonStep[]> = many(seq((s) => {
  const arrow = s.run(jsonArrow);
  const key = s.run(jsonOperand);
  return { arrow, key };
}));

const optionalPath = option([], jsonPath);
const field: Parser<Field> = lexeme(seq((s) => ({ name: s.run(fieldName), json: s.run(optionalPath) })));

// ---- select -----------------------------------------------------------------------------------

const colon = char(':');
const noColon = notFollowedBy(colon);
const aliasSeparator = seq((s) => (s.run(colon), s.run(noColon)));
const alias = optional(attempt(before(fieldName, aliasSeparator)));
const cast = optional(after(string('::'), identifier));
const selectEnd = alt<unknown>(lookingAt(')'), lookingAt(','), attempt(eof));
const aggregate: Parser<Aggregate> = alt(
  string('sum'), string('avg'), string('count'), attempt(string('max')), attempt(string('min')), mzero(),
) as Parser<Aggregate>;

const star = string('*');
const countCall = string('count()');
const call = string('()');
const dot = char('.');
const comma = char(',');
const aggregateCall = optional(attempt(seq((s) => {
  s.run(dot);
  const agg = s.run(aggregate);
  s.run(call);
  return agg;
})));
const fieldSelect: Parser<SelectItem> = lexeme(alt<SelectItem>(
  attempt(seq((s) => {
    s.run(star);
    s.run(selectEnd);
    return { kind: 'star' };
  })),
  attempt(seq((s) => {
    const a = s.run(alias);
    s.run(countCall);
    const aggregateCast = s.run(cast);
    s.run(selectEnd);
    return { kind: 'field', field: { name: '*', json: [] }, alias: a, aggregate: 'count', aggregateCast };
  })),
  seq((s) => {
    const a = s.run(alias);
    const f = s.run(field);
    const c = s.run(cast);
    const withCall = s.run(aggregateCall);
    const aggregateCast = s.run(cast);
    s.run(selectEnd);
    return withCall === undefined
      ? { kind: 'field', field: f, alias: a, cast: c }
      : { kind: 'field', field: f, alias: a, cast: c, aggregate: withCall, aggregateCast };
  }),
));

const nothing = mzero<never>();
/** `!hint`, `!inner`, `!left`: at most two, either way round */
const embedParam = optional(after(char('!'), alt<{ join?: 'inner' | 'left'; hint?: string }>(
  attempt(map(string('left'), () => ({ join: 'left' as const }))),
  attempt(map(string('inner'), () => ({ join: 'inner' as const }))),
  attempt(map(fieldName, (hint) => ({ hint }))),
)));
const embedParams: Parser<{ hint?: string; join?: 'inner' | 'left' }> = seq((s) => {
  const p1 = s.run(embedParam);
  const p2 = s.run(embedParam);
  return { hint: p1?.hint ?? p2?.hint, join: p1?.join ?? p2?.join };
});

type EmbedHead = Omit<Extract<SelectItem, { kind: 'embed' }>, 'select'>;

const spread = string('...');
const openingNext = attempt(lookAhead(string('(')));
const spreadHead: Parser<EmbedHead> = lexeme(seq((s) => {
  s.run(spread);
  const name = s.run(fieldName);
  const { hint, join: j } = s.run(embedParams) ?? {};
  s.run(openingNext);
  return { kind: 'embed', name, alias: undefined, hint, join: j, spread: true };
}));

const relationHead: Parser<EmbedHead> = lexeme(seq((s) => {
  const a = s.run(alias);
  const name = s.run(fieldName);
  // `count()` is the aggregate, never a relation named count
  if (name === 'count') s.run(nothing);
  const { hint, join: j } = s.run(embedParams) ?? {};
  s.run(openingNext);
  return { kind: 'embed', name, alias: a, hint, join: j, spread: false };
}));

const openParen = char('(');
const closeParen = char(')');
const subForest = between(openParen, closeParen, (input, pos) => fieldForest(input, pos));
const embedded = (head: Parser<EmbedHead>): Parser<SelectItem> => {
  const tried = attempt(head);
  return seq((s) => {
    const h = s.run(tried);
    const select = s.run(subForest);
    return { ...h, select };
  });
};

const fieldTree: Parser<SelectItem> = alt(embedded(spreadHead), embedded(relationHead), fieldSelect);
const fieldForest: Parser<SelectItem[]> = sepBy(fieldTree, lexeme(comma));

/** Deeper nesting than any real query needs is refused before it can exhaust the stack. */
const MAX_DEPTH = 32;

/** The deepest parenthesis nesting outside double quotes. */
function nesting(s: string): number {
  let depth = 0;
  let max = 0;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === '(') max = Math.max(max, ++depth);
    else if (ch === ')') depth--;
  }
  return max;
}

/** NUL cannot travel in a Postgres identifier */
function refuseNul(what: string, input: string, names: string[]) {
  if (names.some((n) => n.includes('\u0000'))) throw fail(what, input.replaceAll('\u0000', '\\0'), 'unexpected NUL character');
}

function selectNames(items: SelectItem[]): string[] {
  return items.flatMap((i) => {
    if (i.kind === 'star') return [];
    if (i.kind === 'embed') return [i.name, i.alias ?? '', i.hint ?? '', ...selectNames(i.select)];
    return [i.field.name, i.alias ?? '', ...i.field.json.map((j) => j.key)];
  });
}

const selects = new ParseCache<SelectItem[]>();

const PLAIN_NAME = /[A-Za-z0-9_]+/y;

/**
 * The select lists most requests send — plain names, `alias:name`, `*`, and embeds of them
 * (`rel!hint(...)`, `...rel(...)`) — read in one pass, to the same items the grammar gives for
 * them; null for anything else (quotes, spaces, JSON paths, casts, aggregates, an error), which
 * the grammar then reads, and words its failure, as PostgREST does.
 */
export function plainSelect(input: string): SelectItem[] | null {
  const reader = new PlainSelect(input);
  const items = reader.forest(false);
  return items && reader.at === input.length && items.length ? items : null;
}

class PlainSelect {
  at = 0;

  constructor(private readonly input: string) {}

  private name(): string | null {
    PLAIN_NAME.lastIndex = this.at;
    const m = PLAIN_NAME.exec(this.input);
    if (!m) return null;
    this.at = PLAIN_NAME.lastIndex;
    return m[0];
  }

  forest(closing: boolean): SelectItem[] | null {
    const items: SelectItem[] = [];
    if (closing && this.input[this.at] === ')') return items;
    for (;;) {
      const item = this.tree();
      if (!item) return null;
      items.push(item);
      if (this.input[this.at] !== ',') return items;
      this.at++;
    }
  }

  private tree(): SelectItem | null {
    const { input } = this;
    if (input[this.at] === '*') {
      this.at++;
      return { kind: 'star' };
    }
    if (input.startsWith('...', this.at)) {
      this.at += 3;
      const n = this.name();
      return n === null ? null : this.embed(n, undefined, true);
    }
    let n = this.name();
    if (n === null) return null;
    let alias: string | undefined;
    if (input[this.at] === ':') {
      if (input[this.at + 1] === ':') return null;
      this.at++;
      alias = n;
      n = this.name();
      if (n === null) return null;
    }
    if (input[this.at] === '!' || input[this.at] === '(') return this.embed(n, alias, false);
    return { kind: 'field', field: { name: n, json: [] }, alias, cast: undefined };
  }

  private embed(name: string, alias: string | undefined, spread: boolean): SelectItem | null {
    const { input } = this;
    let hint: string | undefined;
    let join: 'inner' | 'left' | undefined;
    for (let params = 0; input[this.at] === '!' && params < 2; params++) {
      this.at++;
      const p = this.name();
      if (p === 'inner' || p === 'left') join ??= p;
      // `left…`/`inner…` longer than the word read differently in the grammar: left to it
      else if (p === null || p.startsWith('left') || p.startsWith('inner')) return null;
      else hint ??= p;
    }
    if (input[this.at] !== '(' || name === 'count') return null;
    this.at++;
    const select = this.forest(true);
    if (!select || input[this.at] !== ')') return null;
    this.at++;
    return { kind: 'embed', name, alias, hint, join, spread, select };
  }
}

export function parseSelect(input: string): SelectItem[] {
  return selects.get(input, () => readSelect(input));
}

function readSelect(input: string): SelectItem[] {
  if (nesting(input) > MAX_DEPTH + 1) throw fail('select parameter', input.slice(0, 100), `embedding nested deeper than ${MAX_DEPTH} levels`);
  return plainSelect(input) ?? selectByGrammar(input);
}

/** A select list read by the grammar alone (no cache, no one-pass reading): what `plainSelect` must agree with. */
export function selectByGrammar(input: string): SelectItem[] {
  const items = parseWith(fieldForest, 'select parameter', input);
  refuseNul('select parameter', input, selectNames(items));
  // an empty select (`select=`) is every column, as in PostgREST
  return items.length ? items : [{ kind: 'star' }];
}

// ---- filters ----------------------------------------------------------------------------------

/** The characters of `s`, each matched in either case (PostgREST's `is` values). */
const ciString = (text: string): Parser<string> => {
  const chars = [...text].map((c) => alt(char(c), char(c.toUpperCase())));
  return map(seq((s) => chars.map((c) => s.run(c))), join);
};

/** `many (noneOf ",)")` */
const untilCommaOrParen = takeWhile((c) => c !== ',' && c !== ')', [], 0);
const listElement = alt(attempt(before(quotedValue, notFollowedBy(noneOf(',)')))), untilCommaOrParen);
const listOpen = lexeme(openParen);
const listClose = lexeme(closeParen);
const listElements = sepBy1(listElement, comma);
const listValue: Parser<string[]> = seq((s) => {
  s.run(listOpen);
  const items = s.run(listElements);
  s.run(listClose);
  // `in.()` is the empty list
  return items?.length === 1 && items[0].trim() === '' ? [] : items;
});

const singleValue: Parser<string> = takeWhile(() => true, [], 0);
const braceOpen = string('{');
const braceClose = string('}');
const braced = takeWhile((c) => c !== '{' && c !== '}', [], 0);
const pgArray = seq((s) => s.run(braceOpen) + s.run(braced) + s.run(braceClose));
/** inside and/or trees a value ends at "," or ")" unless it is quoted or a `{...}` array */
const logicValue: Parser<string> = alt(
  attempt(before(quotedValue, notFollowedBy(noneOf(',)')))),
  attempt(pgArray),
  untilCommaOrParen,
);

const ops = (names: string[], what: string) => label(alt(...names.map((n) => attempt(string(n)))), what) as Parser<Operator>;
const simpleOperator = ops(['neq', 'cs', 'cd', 'ov', 'sl', 'sr', 'nxr', 'nxl', 'adj'], 'unknown single value operator');
const quantOperator = ops(['eq', 'gte', 'gt', 'lte', 'lt', 'like', 'ilike', 'match', 'imatch'], 'unknown single value operator');
const ftsOperator = alt(...['fts', 'plfts', 'phfts', 'wfts'].map((n) => attempt(string(n)))) as Parser<Operator>;
const isValue = label(
  alt(...['null', 'not_null', 'true', 'false', 'unknown'].map((v) => attempt(ciString(v)))),
  'isVal: (null, not_null, true, false, unknown)',
);

type Operation = Omit<Condition, 'negated'> & { value: string | string[] };

const keyword = (name: string) => attempt(seq((s) => (s.run(string(name)), s.run(delimiter))));
const inKeyword = keyword('in');
const isKeyword = keyword('is');
const isDistinctKeyword = keyword('isdistinct');
const ftsLanguage = optional(attempt(between(openParen, closeParen, identifier)));
const quantifierOf = optional(attempt(between(openParen, closeParen, alt(attempt(string('any')), string('all'))))) as Parser<'any' | 'all' | undefined>;
const notPrefix = alt(attempt(seq((s) => (s.run(string('not')), s.run(delimiter), true))), pure(false));

/** `[not.]op[(modifier)].value`, the value read by `value` */
function opExpr(value: Parser<string>): Parser<Condition> {
  const operation = label(alt<Operation>(
    seq((s) => (s.run(inKeyword), { op: 'in', value: s.run(listValue) })),
    seq((s) => (s.run(isKeyword), { op: 'is', value: s.run(isValue) })),
    seq((s) => (s.run(isDistinctKeyword), { op: 'isdistinct', value: s.run(value) })),
    attempt(seq((s) => {
      const op = s.run(ftsOperator);
      const language = s.run(ftsLanguage);
      s.run(delimiter);
      const v = s.run(value);
      return language === undefined ? { op, value: v } : { op, language, value: v };
    })),
    attempt(seq((s) => {
      const op = s.run(simpleOperator);
      s.run(delimiter);
      return { op, value: s.run(value) };
    })),
    attempt(seq((s) => {
      const op = s.run(quantOperator);
      const quantifier = s.run(quantifierOf);
      s.run(delimiter);
      const v = s.run(value);
      return quantifier === undefined ? { op, value: v } : { op, quantifier, value: v };
    })),
  ), 'operator (eq, gt, ...)');
  return seq((s) => {
    const negated = s.run(notPrefix);
    return { negated, ...s.run(operation) };
  });
}

const filterValue = opExpr(singleValue);
const logicFilterValue = opExpr(logicValue);

/**
 * The `{a,b}` list of an any/all operator, read into its items. Anything else is left as it is:
 * PostgREST's parser takes any value here and Postgres judges the array literal (22P02).
 */
function quantifiedList(input: string): string | string[] {
  if (!input.startsWith('{') || !input.endsWith('}')) return input;
  const inner = input.slice(1, -1);
  return inner.trim() === '' ? [] : splitTopLevel(inner).map(unquote);
}

function finishCondition(cond: Condition): Condition {
  if (cond.quantifier) cond.value = quantifiedList(cond.value as string);
  return cond;
}

/** A filter parameter's value that is an operator without modifier, a dot, and the value (taken as it is). */
const PLAIN_FILTER = /^(eq|neq|gte|gt|lte|lt|like|ilike|match|imatch|cs|cd|ov|sl|sr|nxr|nxl|adj)\.(.*)$/s;

/**
 * `[not.]op[(modifier)].value` as a filter parameter's value (`inTree` false: the value is taken
 * as it is) or as a term of an and/or tree (quoted values and `{...}` arrays, ending at "," or ")").
 */
export function parseCondition(input: string, inTree = true): Condition {
  if (!inTree) {
    // the common `op.value` read at once: what the grammar gives for it, without running it
    const plain = PLAIN_FILTER.exec(input);
    if (plain) return { negated: false, op: plain[1] as Operator, value: plain[2] };
  }
  const p = inTree ? before(logicFilterValue, eof) : filterValue;
  return finishCondition(parseWith(p, 'filter', input));
}

/** A filter's key, `[embed.]*field[->path]`, as PostgREST's tree path. */
const pathNames = sepBy1(fieldName, delimiter);
const treePath: Parser<{ path: string[]; field: Field }> = seq((s) => {
  const names = s.run(pathNames);
  const json = s.run(optionalPath);
  return names && { path: names.slice(0, -1), field: { name: names[names.length - 1], json } };
});

const treePaths = new ParseCache<{ path: string[]; field: Field }>();

export function parseTreePath(key: string): { path: string[]; field: Field } {
  return treePaths.get(key, () => readTreePath(key));
}

function readTreePath(key: string): { path: string[]; field: Field } {
  const r = parseWith(treePath, 'tree path', key);
  refuseNul('tree path', key, [...r.path, r.field.name]);
  return r;
}

const logicPaths = new ParseCache<string[]>();

/**
 * The key of an `and`/`or` parameter (`[embed.]*[not.]or`) as PostgREST checks it, before the
 * value: dot-separated names, or "failed to parse logic path".
 */
export function checkLogicPath(key: string): void {
  logicPaths.get(key, () => parseWith(pathNames, 'logic path', key));
}

/** A filter parameter: key `[embed.]*field`, value `[not.]op.value`. */
export function parseFilterParam(key: string, value: string): { path: string[]; filter: Filter } {
  const { path, field } = parseTreePath(key);
  return { path, filter: { field, cond: parseCondition(value, false) } };
}

/** Splits `a.b.col` on the dots outside quotes (the keys of `order`, `limit`, `offset`, `and`/`or`). */
export function splitPath(key: string): string[] {
  return splitTopLevel(key, '.');
}

// ---- and/or -----------------------------------------------------------------------------------

const logicFilter: Parser<Filter> = seq((s) => {
  const f = s.run(field);
  s.run(delimiter);
  return { field: f, cond: s.run(logicFilterValue) };
});

/**
 * Ours beyond PostgREST 13: a term may filter an embedded resource (`clients.name.eq.x`). Tried
 * only after PostgREST's own reading failed, and silent when it fails too, so PostgREST's error
 * stands.
 */
const pathStep = before(fieldName, delimiter);
const embeddedLogicFilter: Parser<{ path: string[]; filter: Filter }> = (input, pos) => {
  const path: string[] = [];
  let at = pos;
  for (;;) {
    const name = pathStep(input, at);
    if (!name.ok) return { ok: false, consumed: false, err: { pos, msgs: [] } };
    path.push(name.value);
    at = name.pos;
    const f = logicFilter(input, at);
    if (f.ok) return { ...f, consumed: true, value: { path: [...path], filter: f.value } };
  }
};

const logicOperator = label(alt(attempt(string('and')), string('or')), 'logic operator (and, or)') as Parser<'and' | 'or'>;
const negation = label(notPrefix, 'negation operator (not)');
const treeOpen = lexeme(openParen);
const treeClose = lexeme(closeParen);
const treeChildren = sepBy1((input, pos) => logicTree(input, pos), lexeme(comma));

const logicTree: Parser<LogicTree> = alt<LogicTree>(
  map(attempt(logicFilter), (filter) => ({ kind: 'filter', path: [], filter })),
  map(embeddedLogicFilter, ({ path, filter }) => ({ kind: 'filter', path, filter })),
  seq((s) => {
    const negated = s.run(negation);
    const op = s.run(logicOperator);
    s.run(treeOpen);
    const children = s.run(treeChildren);
    s.run(treeClose);
    return { kind: 'expr', negated, op, children };
  }),
);

function finishTree(t: LogicTree): LogicTree {
  if (t.kind === 'expr') for (const c of t.children) finishTree(c);
  else finishCondition(t.filter.cond);
  return t;
}

function treeNames(t: LogicTree): string[] {
  return t.kind === 'expr' ? t.children.flatMap(treeNames) : [...t.path, t.filter.field.name];
}

/**
 * An `or=(...)`/`and=(...)` value (`not.or=` negated). PostgREST parses it behind its operator,
 * `or(...)`, so positions count from there, while the message shows the value alone.
 */
const trees = new ParseCache<LogicTree>();

export function parseLogic(op: 'and' | 'or', negated: boolean, value: string): LogicTree {
  return trees.get(`${negated ? 'not.' : ''}${op}${value}`, () => readLogic(op, negated, value));
}

function readLogic(op: 'and' | 'or', negated: boolean, value: string): LogicTree {
  if (nesting(value) > MAX_DEPTH + 1) throw fail('logic tree', value.slice(0, 100), `and/or nested deeper than ${MAX_DEPTH} levels`);
  const prefix = `${negated ? 'not.' : ''}${op}`;
  const r = run(logicTree, prefix + value);
  if (!r.ok) throw fail('logic tree', value, r.details, r);
  const tree = finishTree(r.value);
  refuseNul('logic tree', value, treeNames(tree));
  return tree;
}

// ---- order, columns ---------------------------------------------------------------------------

const orderEnd = alt<unknown>(attempt(lookAhead(char(','))), attempt(eof));
const direction = alt(attempt(after(delimiter, string('asc'))), attempt(after(delimiter, string('desc')))) as Parser<'asc' | 'desc'>;
const nullsOrder = alt(
  attempt(after(delimiter, map(string('nullsfirst'), () => 'first' as const))),
  attempt(after(delimiter, map(string('nullslast'), () => 'last' as const))),
);
const optionalDirection = optional(direction);
const nullsThenEnd = alt(before(optional(nullsOrder), orderEnd), map(orderEnd, () => undefined));
const modifiers = seq((s) => {
  const dir = s.run(optionalDirection);
  const nulls = s.run(nullsThenEnd);
  return { direction: dir, nulls };
});
const withModifiers = (t: OrderTerm, m: { direction?: 'asc' | 'desc'; nulls?: 'first' | 'last' } | undefined): OrderTerm => {
  if (!m) return t;
  if (m.direction) t.direction = m.direction;
  if (m.nulls) t.nulls = m.nulls;
  return t;
};
const orderTerm: Parser<OrderTerm> = seq((s) => {
  const f = s.run(field);
  return withModifiers({ field: f, relation: undefined }, s.run(modifiers));
});
const relationField = between(openParen, closeParen, field);
const orderRelationTerm: Parser<OrderTerm> = seq((s) => {
  const relation = s.run(fieldName);
  const f = s.run(relationField);
  return withModifiers({ field: f, relation }, s.run(modifiers));
});
const order = sepBy1(lexeme(alt(attempt(orderRelationTerm), orderTerm)), char(','));

/** `order=a.desc.nullslast,rel(col).asc,json->x` */
const orders = new ParseCache<OrderTerm[]>();

export function parseOrder(value: string): OrderTerm[] {
  return orders.get(value, () => readOrder(value));
}

function readOrder(value: string): OrderTerm[] {
  const terms = parseWith(order, 'order', value);
  refuseNul('order', value, terms.flatMap((t) => [t.relation ?? '', t.field.name]));
  return terms;
}

const columns = sepBy1(fieldName, lexeme(char(',')));

/** `columns=a,b` and `on_conflict=a,b`: a list of column names. */
export function parseColumns(param: 'columns' | 'on_conflict', value: string): string[] {
  const names = parseWith(columns, `${param} parameter`, value);
  refuseNul(`${param} parameter`, value, names);
  return names;
}

/** The grammar's parts by PostgREST's names, for checking them one by one against its doctests. */
export const PARTS = {
  pFieldForest: fieldForest, pFieldName: fieldName, pJsonPath: jsonPath, pFieldSelect: fieldSelect,
  pRelationSelect: relationHead, pSpreadRelationSelect: spreadHead, pOpExpr: filterValue, pOrder: order,
  pLogicTree: logicTree, pColumns: columns, pTreePath: treePath,
} as const;
