import { splitTopLevel, unquote } from '../db/sql.js';
import { queryParamError } from './errors.js';

/**
 * PostgREST's URL grammar (docs/references/api/url_grammar.rst): the `select`, filter, `order`
 * and `and`/`or` query parameters. Pure functions from strings to a small AST; no database.
 */

export interface JsonStep {
  arrow: '->' | '->>';
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
const QUANTIFIABLE = new Set(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch']);
const FTS = new Set(['fts', 'plfts', 'phfts', 'wfts']);

export interface Condition {
  negated: boolean;
  op: Operator;
  quantifier?: 'any' | 'all';
  /** text search configuration for fts operators */
  language?: string;
  /** the raw value; a list for `in` and for any/all */
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

/**
 * PGRST100 as PostgREST's parser words it: `"failed to parse <what> (<input>)"`, with the line and
 * column of the failure when it is known (as its parser reports positions).
 */
const fail = (what: string, input: string, details: string, column?: number) =>
  queryParamError(`"failed to parse ${what} (${input})"${column === undefined ? '' : ` (line 1, column ${column})`}`, details);

/**
 * The character PostgREST's parser reports at a bad operator: it tries "not" first, so a value
 * starting like it ("noop") fails on the first character that departs from it.
 */
function unexpectedAtOperator(s: string): string {
  let i = 0;
  while (i < 3 && s[i] === 'not'[i]) i++;
  return i < s.length ? `"${s[i]}"` : 'end of input';
}

// a name may hold inner spaces ("Unit Price"), as PostgREST's field names may; trailing ones are not part of it
const IDENT = /^(?:"(?:[^"\\]|\\.)*"|[^\s"(),:.!>-](?:[^\t\r\n"(),:.!>-]|-(?!>))*)/;
const identAt = (input: string): RegExpExecArray | null => {
  const m = IDENT.exec(input);
  if (m && !m[0].startsWith('"')) m[0] = m[0].replace(/ +$/, '');
  return m;
};

/** A column with an optional JSON path: `data->a->>b`, `"my col"->0`. */
export function parseField(input: string, what: string, whole: string): Field {
  // NUL cannot travel in a Postgres identifier or literal
  if (input.includes('\u0000')) throw fail(what, whole.replaceAll('\u0000', '\\0'), 'unexpected NUL character');
  const m = identAt(input);
  if (!m?.[0]) throw fail(what, whole, `unexpected "${input.slice(0, 1) || 'end of input'}" expecting field name (* or [a..z0..9_$])`);
  const name = unquote(m[0]);
  let rest = input.slice(m[0].length);
  const json: JsonStep[] = [];
  while (rest.length) {
    const arrow = rest.startsWith('->>') ? '->>' : rest.startsWith('->') ? '->' : null;
    if (!arrow) break;
    rest = rest.slice(arrow.length);
    const k = identAt(rest) ?? /^-?\d+/.exec(rest);
    if (!k?.[0]) {
      // where PostgREST's parser stops in a select: a "-" must start a number, anything else a key
      const at = what === 'select parameter' && whole.includes(input) ? whole.indexOf(input) + input.length - rest.length + 1 : undefined;
      if (rest.startsWith('-')) throw fail(what, whole, `unexpected ${rest.length > 1 ? `"${rest[1]}"` : 'end of input'} expecting digit`, at === undefined ? undefined : at + 1);
      throw fail(what, whole, `unexpected ${rest ? `"${rest[0]}"` : 'end of input'} expecting "-", digit or any non reserved character different from: .,>()`, at);
    }
    json.push({ arrow, key: unquote(k[0]) });
    rest = rest.slice(k[0].length);
  }
  if (rest.length) throw fail(what, whole, `unexpected "${rest.slice(0, 1)}" expecting "->", "->>" or end of field`);
  return { name, json };
}

/** Position of an alias colon (`alias:name`), skipping `::` casts and quoted text. */
function aliasColon(s: string): number {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '"') quoted = !quoted;
    if (quoted) continue;
    if (ch === '(') return -1;
    if (ch === ':') {
      if (s[i + 1] === ':') return -1;
      return i;
    }
  }
  return -1;
}

/** Deeper nesting than any real query needs is refused before it can exhaust the stack. */
const MAX_DEPTH = 32;

export function parseSelect(input: string, whole = input, depth = 0): SelectItem[] {
  if (depth > MAX_DEPTH) throw fail('select parameter', whole.slice(0, 100), `embedding nested deeper than ${MAX_DEPTH} levels`);
  if (input.trim() === '') return [{ kind: 'star' }];
  return splitTopLevel(input).map((raw) => parseSelectItem(raw.trim(), whole, depth));
}

function parseSelectItem(raw: string, whole: string, depth: number): SelectItem {
  if (raw === '') throw fail('select parameter', whole, 'unexpected "," expecting field name (* or [a..z0..9_$])');
  if (raw === '*') return { kind: 'star' };
  let spread = false;
  let s = raw;
  if (s.startsWith('...')) {
    spread = true;
    s = s.slice(3);
  }
  let alias: string | undefined;
  const colon = aliasColon(s);
  if (colon > 0) {
    alias = unquote(s.slice(0, colon));
    s = s.slice(colon + 1);
  }
  // `count()` and `field.sum()`: an aggregate, not an embed (PostgREST never embeds a relation named count)
  const agg = AGGREGATE.exec(s);
  if (agg && !spread) {
    const aggregateCast = agg[3] === undefined ? undefined : castName(agg[3], whole);
    if (agg[1] === undefined) return { kind: 'field', field: { name: '*', json: [] }, alias, aggregate: 'count', aggregateCast };
    const { field, cast } = fieldAndCast(agg[1], whole);
    return { kind: 'field', field, alias, cast, aggregate: agg[2] as Aggregate, aggregateCast };
  }
  const paren = s.indexOf('(');
  // a JSON path running into "(" is a bad key, not an embed: the field says where it failed
  if (paren >= 0 && s.slice(0, paren).includes('->')) parseField(s, 'select parameter', whole);
  if (paren >= 0 && !s.slice(0, paren).includes('"')) {
    if (!s.endsWith(')')) throw fail('select parameter', whole, `unexpected "${s.slice(-1)}" expecting ")"`);
    const head = s.slice(0, paren);
    const inner = s.slice(paren + 1, -1);
    const parts = head.split('!');
    // a dot before the parenthesis is no embed (`col.foo()` is no aggregate PostgREST knows)
    if (/^[^"]*\./.test(parts[0])) throw fail('select parameter', whole, `unexpected "." in "${head}" expecting "("`);
    const name = unquote(parts[0]);
    if (!name || !IDENT.test(parts[0])) throw fail('select parameter', whole, `unexpected "${head.slice(0, 1) || '('}" expecting field name`);
    let hint: string | undefined;
    let join: 'inner' | 'left' | undefined;
    for (const p of parts.slice(1)) {
      if (p === 'inner' || p === 'left') join = p;
      else if (p && !hint) hint = unquote(p);
      else throw fail('select parameter', whole, `unexpected "!${p}" in embedded resource`);
    }
    return { kind: 'embed', name, alias, hint, join, spread, select: inner.trim() === '' ? [] : parseSelect(inner, whole, depth + 1) };
  }
  if (spread) throw fail('select parameter', whole, 'unexpected "." a spread needs an embedded resource');
  const { field, cast } = fieldAndCast(s, whole);
  return { kind: 'field', field, alias, cast };
}

/** `count()[::cast]`, or `field[::cast].agg()[::cast]` (the field part in group 1, unparsed). */
const AGGREGATE = /^(?:count\(\)|(.+)\.(count|sum|avg|max|min)\(\))(?:::([^:]*))?$/s;

function castName(cast: string, whole: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_ ]*(\[\])?$/.test(cast)) throw fail('select parameter', whole, `unexpected "${cast}" expecting a type name`);
  return cast;
}

/** `field[->path][::cast]` */
function fieldAndCast(text: string, whole: string): { field: Field; cast?: string } {
  const castAt = text.lastIndexOf('::');
  if (castAt <= 0) return { field: parseField(text, 'select parameter', whole) };
  return { field: parseField(text.slice(0, castAt), 'select parameter', whole), cast: castName(text.slice(castAt + 2), whole) };
}

/** The list in `in.(a,b,"c,d")` or an any/all `{a,b}`. */
function parseList(input: string, whole: string, open: string, close: string): string[] {
  if (!input.startsWith(open) || !input.endsWith(close)) {
    throw fail('filter', whole, `unexpected "${input.slice(0, 1) || 'end of input'}" expecting "${open}"`);
  }
  const inner = input.slice(1, -1);
  if (inner.trim() === '') return [];
  return splitTopLevel(inner).map(unquote);
}

/**
 * `[not.]op[(modifier)].value`. Double quotes around a value are syntax only inside `in.(...)`,
 * `{...}` lists and or/and trees (`quoted`); a top-level filter's value is taken as it is.
 */
export function parseCondition(input: string, whole = input, quoted = true): Condition {
  let s = input;
  let negated = false;
  if (s.startsWith('not.')) {
    negated = true;
    s = s.slice(4);
  }
  const dot = s.indexOf('.');
  const head = dot < 0 ? s : s.slice(0, dot);
  const value = dot < 0 ? null : s.slice(dot + 1);
  const m = /^([a-z]+)(?:\(([^)]*)\))?$/.exec(head);
  if (!m || !OPERATORS.has(m[1]) || value === null) {
    const at = negated ? (s ? `"${s[0]}"` : 'end of input') : unexpectedAtOperator(s);
    throw fail('filter', whole, `unexpected ${at} expecting ${negated ? '' : '"not" or '}operator (eq, gt, ...)`, negated ? 5 : 1);
  }
  const op = m[1] as Operator;
  const cond: Condition = { negated, op, value };
  if (m[2] !== undefined) {
    if (FTS.has(op)) cond.language = m[2];
    else if ((m[2] === 'any' || m[2] === 'all') && QUANTIFIABLE.has(op)) cond.quantifier = m[2];
    else throw fail('filter', whole, `unexpected "(${m[2]})" for operator ${op}`);
    if (cond.quantifier) cond.value = parseList(value, whole, '{', '}');
  }
  if (op === 'in') cond.value = parseList(value, whole, '(', ')');
  if (op === 'is' && !['null', 'not_null', 'true', 'false', 'unknown'].includes(value.toLowerCase())) {
    throw fail('filter', whole, `unexpected "${value.slice(0, 1) || 'end of input'}" expecting null or trilean value (unknown, true, false)`);
  }
  if (quoted && typeof cond.value === 'string' && op !== 'is') cond.value = unquote(cond.value);
  return cond;
}

/** A filter parameter: key `[embed.]*field`, value `[not.]op.value`. */
export function parseFilterParam(key: string, value: string): { path: string[]; filter: Filter } {
  const parts = splitPath(key);
  const field = parseField(parts[parts.length - 1], 'filter', `${key}=${value}`);
  return { path: parts.slice(0, -1), filter: { field, cond: parseCondition(value, value, false) } };
}

/** Splits `a.b.col->x` on dots outside quotes. */
export function splitPath(key: string): string[] {
  return splitTopLevel(key, '.');
}

/** `or=(...)`/`and=(...)` values and their nested `and(...)`/`or(...)` terms. */
export function parseLogic(op: 'and' | 'or', negated: boolean, value: string, whole: string, depth = 0): LogicTree {
  if (depth > MAX_DEPTH) throw fail('logic tree', whole.slice(0, 100), `and/or nested deeper than ${MAX_DEPTH} levels`);
  if (!value.startsWith('(') || !value.endsWith(')')) {
    throw fail('logic tree', whole, `unexpected "${value.slice(0, 1) || 'end of input'}" expecting "("`);
  }
  const inner = value.slice(1, -1);
  // PostgREST parses `or(...)`: an empty list fails right after the opening parenthesis
  if (inner.trim() === '') throw fail('logic tree', whole, 'unexpected ")" expecting a filter or logic operator', op.length + (negated ? 4 : 0) + 2 + (inner.length - inner.trimStart().length));
  return { kind: 'expr', op, negated, children: splitTopLevel(inner).map((t) => parseLogicTerm(t.trim(), whole, depth)) };
}

function parseLogicTerm(term: string, whole: string, depth: number): LogicTree {
  const m = /^(not\.)?(and|or)(\(.*\))$/s.exec(term);
  if (m) return parseLogic(m[2] as 'and' | 'or', !!m[1], m[3], whole, depth + 1);
  // field (possibly behind embed names) then `[not.]op.value`
  const segs = splitTopLevel(term, '.');
  let i = 1;
  while (i < segs.length && segs[i] !== 'not' && !OPERATORS.has(segs[i].replace(/\(.*$/, ''))) i++;
  if (i >= segs.length) throw fail('logic tree', whole, `unexpected end of input in "${term}" expecting an operator`);
  const path = segs.slice(0, i - 1);
  const field = parseField(segs[i - 1], 'logic tree', whole);
  const rest = term.slice(segs.slice(0, i).join('.').length + 1);
  return { kind: 'filter', path, filter: { field, cond: parseCondition(rest, whole) } };
}

/** `order=a.desc.nullslast,rel(col).asc,json->x` */
export function parseOrder(value: string): OrderTerm[] {
  return splitTopLevel(value).map((raw) => {
    const term = raw.trim();
    let rest = term;
    let relation: string | undefined;
    let fieldText: string;
    const rel = /^([^().]+)\(([^)]*)\)(.*)$/.exec(rest);
    if (rel) {
      relation = unquote(rel[1]);
      fieldText = rel[2];
      rest = rel[3];
    } else {
      const segs = splitTopLevel(rest, '.');
      fieldText = segs[0];
      rest = segs.length > 1 ? `.${segs.slice(1).join('.')}` : '';
    }
    const field = parseField(fieldText, 'order', value);
    const t: OrderTerm = { field, relation };
    let at = value.indexOf(term) + term.length - rest.length;
    for (const mod of rest.split('.')) {
      if (mod && (mod === 'asc' || mod === 'desc') && !t.direction && !t.nulls) t.direction = mod;
      else if (mod && (mod === 'nullsfirst' || mod === 'nullslast') && !t.nulls) t.nulls = mod === 'nullsfirst' ? 'first' : 'last';
      else if (mod || at > value.indexOf(term) + term.length - rest.length) {
        // a known modifier followed by more letters fails right after it, where a "," or the end was due
        const known = ['nullsfirst', 'nullslast', 'desc', 'asc'].find((k) => mod.startsWith(k));
        if (known) throw fail('order', value, `unexpected '${mod[known.length]}' expecting "," or end of input`, at + known.length + 1);
        throw fail('order', value, `unexpected "${mod}" expecting "asc", "desc", "nullsfirst" or "nullslast"`, at + 1);
      }
      at += mod.length + 1;
    }
    return t;
  });
}

