import {
  alt, anyChar, attempt, between, char, digit, eof, fail as mzero, label, letter, lookAhead, many, many1, map,
  noneOf, notFollowedBy, oneOf, option, optional, pure, run, sepBy, sepBy1, seq, string,
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

/** PGRST100 as PostgREST words it: `"failed to parse <what> (<input>)" (line L, column C)`. */
const fail = (what: string, input: string, details: string, at?: { line: number; column: number }) =>
  queryParamError(`"failed to parse ${what} (${input})"${at ? ` (line ${at.line}, column ${at.column})` : ''}`, details);

function parseWith<T>(p: Parser<T>, what: string, input: string): T {
  const r = run(p, input);
  if (!r.ok) throw fail(what, input, r.details, r);
  return r.value;
}

// ---- names and JSON paths ---------------------------------------------------------------------

const join = (cs: string[]) => cs.join('');
const ws = many(oneOf(' \t'));
const lexeme = <T>(p: Parser<T>): Parser<T> => seq((step) => {
  step(ws);
  const v = step(p);
  step(ws);
  return v;
});
/** `.`, named as PostgREST names it when it is missing */
const delimiter = label(char('.'), 'delimiter (.)');
const after = <T>(first: Parser<unknown>, p: Parser<T>): Parser<T> => seq((step) => (step(first), step(p)));
const before = <T>(p: Parser<T>, next: Parser<unknown>): Parser<T> => seq((step) => {
  const v = step(p);
  step(next);
  return v;
});

/** `"..."` with backslash escapes */
const quotedValue: Parser<string> = seq((step) => {
  step(char('"'));
  const cs = step(many(alt(noneOf('\\"'), after(char('\\'), anyChar))));
  step(char('"'));
  return join(cs);
});

const identifier: Parser<string> = map(many1(alt(letter, digit, oneOf('_ $'))), (cs) => join(cs).trim());

/** Names may hold dashes, but a dash starting an arrow (`->`) ends them. */
const dash = attempt(seq((step) => (step(char('-')), step(notFollowedBy(char('>'))), '-')));
const sepByDash = (p: Parser<string>) => map(sepBy1(p, dash), (parts) => parts.join('-'));

const fieldName: Parser<string> = label(alt(quotedValue, sepByDash(identifier)), 'field name (* or [a..z0..9_$])');

const jsonKeyName: Parser<string> = label(
  alt(quotedValue, sepByDash(map(many1(noneOf('(-:.,>)')), (cs) => join(cs).trim()))),
  'any non reserved character different from: .,>()',
);

const lookingAt = (s: string) => attempt(lookAhead(string(s)));
/** an index must end where a path, cast, modifier or list may go on */
const indexEnd = alt<unknown>(lookingAt('->'), lookingAt('::'), lookingAt('.'), lookingAt(','), attempt(eof));
const jsonIndex: Parser<string> = seq((step) => {
  const sign = step(option('', map(char('-'), () => '-')));
  const digits = step(many1(digit));
  step(indexEnd);
  return sign + join(digits);
});
const jsonArrow = alt(attempt(string('->>')), attempt(string('->'))) as Parser<'->' | '->>'>;
const jsonPath: Parser<JsonStep[]> = many(seq((step) => {
  const arrow = step(jsonArrow);
  const key = step(alt(attempt(jsonIndex), attempt(jsonKeyName)));
  return { arrow, key };
}));

const field: Parser<Field> = lexeme(seq((step) => ({ name: step(fieldName), json: step(option([], jsonPath)) })));

// ---- select -----------------------------------------------------------------------------------

const aliasSeparator = seq((step) => (step(char(':')), step(notFollowedBy(char(':')))));
const alias = optional(attempt(before(fieldName, aliasSeparator)));
const cast = optional(after(string('::'), identifier));
const selectEnd = alt<unknown>(lookingAt(')'), lookingAt(','), attempt(eof));
const aggregate: Parser<Aggregate> = alt(
  string('sum'), string('avg'), string('count'), attempt(string('max')), attempt(string('min')), mzero(),
) as Parser<Aggregate>;

const fieldSelect: Parser<SelectItem> = lexeme(alt<SelectItem>(
  attempt(seq((step) => {
    step(string('*'));
    step(selectEnd);
    return { kind: 'star' };
  })),
  attempt(seq((step) => {
    const a = step(alias);
    step(string('count()'));
    const aggregateCast = step(cast);
    step(selectEnd);
    return { kind: 'field', field: { name: '*', json: [] }, alias: a, aggregate: 'count', aggregateCast };
  })),
  seq((step) => {
    const a = step(alias);
    const f = step(field);
    const c = step(cast);
    const withCall = step(optional(attempt(seq((s) => {
      s(char('.'));
      const agg = s(aggregate);
      s(string('()'));
      return agg;
    }))));
    const aggregateCast = step(cast);
    step(selectEnd);
    return withCall === undefined
      ? { kind: 'field', field: f, alias: a, cast: c }
      : { kind: 'field', field: f, alias: a, cast: c, aggregate: withCall, aggregateCast };
  }),
));

const embedParams: Parser<{ hint?: string; join?: 'inner' | 'left' }> = seq((step) => {
  const param = optional(after(char('!'), alt<{ join?: 'inner' | 'left'; hint?: string }>(
    attempt(map(string('left'), () => ({ join: 'left' as const }))),
    attempt(map(string('inner'), () => ({ join: 'inner' as const }))),
    attempt(map(fieldName, (hint) => ({ hint }))),
  )));
  const p1 = step(param);
  const p2 = step(param);
  return { hint: p1?.hint ?? p2?.hint, join: p1?.join ?? p2?.join };
});

type EmbedHead = Omit<Extract<SelectItem, { kind: 'embed' }>, 'select'>;

const spreadHead: Parser<EmbedHead> = lexeme(seq((step) => {
  step(string('...'));
  const name = step(fieldName);
  const { hint, join: j } = step(embedParams);
  step(attempt(lookAhead(string('('))));
  return { kind: 'embed', name, alias: undefined, hint, join: j, spread: true };
}));

const relationHead: Parser<EmbedHead> = lexeme(seq((step) => {
  const a = step(alias);
  const name = step(fieldName);
  // `count()` is the aggregate, never a relation named count
  if (name === 'count') step(mzero());
  const { hint, join: j } = step(embedParams);
  step(attempt(lookAhead(string('('))));
  return { kind: 'embed', name, alias: a, hint, join: j, spread: false };
}));

const embedded = (head: Parser<EmbedHead>): Parser<SelectItem> => seq((step) => {
  const h = step(attempt(head));
  const select = step(between(char('('), char(')'), fieldForest));
  return { ...h, select };
});

const fieldTree: Parser<SelectItem> = (input, pos) => alt(embedded(spreadHead), embedded(relationHead), fieldSelect)(input, pos);
const fieldForest: Parser<SelectItem[]> = (input, pos) => sepBy(fieldTree, lexeme(char(',')))(input, pos);

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

export function parseSelect(input: string): SelectItem[] {
  if (nesting(input) > MAX_DEPTH + 1) throw fail('select parameter', input.slice(0, 100), `embedding nested deeper than ${MAX_DEPTH} levels`);
  const items = parseWith(fieldForest, 'select parameter', input);
  refuseNul('select parameter', input, selectNames(items));
  // an empty select (`select=`) is every column, as in PostgREST
  return items.length ? items : [{ kind: 'star' }];
}

// ---- filters ----------------------------------------------------------------------------------

/** The characters of `s`, each matched in either case (PostgREST's `is` values). */
const ciString = (s: string): Parser<string> =>
  map(seq((step) => [...s].map((c) => step(alt(char(c), char(c.toUpperCase()))))), join);

const listElement = alt(attempt(before(quotedValue, notFollowedBy(noneOf(',)')))), map(many(noneOf(',)')), join));
const listValue: Parser<string[]> = seq((step) => {
  step(lexeme(char('(')));
  const items = step(sepBy1(listElement, char(',')));
  step(lexeme(char(')')));
  // `in.()` is the empty list
  return items.length === 1 && items[0].trim() === '' ? [] : items;
});

const singleValue: Parser<string> = map(many(anyChar), join);
/** inside and/or trees a value ends at "," or ")" unless it is quoted or a `{...}` array */
const logicValue: Parser<string> = alt(
  attempt(before(quotedValue, notFollowedBy(noneOf(',)')))),
  attempt(map(seq((step) => [step(string('{')), join(step(many(noneOf('{}')))), step(string('}'))]), join)),
  map(many(noneOf(',)')), join),
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

/** `[not.]op[(modifier)].value`, the value read by `value` */
function opExpr(value: Parser<string>): Parser<Condition> {
  const keyword = (name: string) => attempt(seq((step) => (step(string(name)), step(delimiter))));
  const operation = label(alt<Operation>(
    seq((step) => (step(keyword('in')), { op: 'in', value: step(listValue) })),
    seq((step) => (step(keyword('is')), { op: 'is', value: step(isValue) })),
    seq((step) => (step(keyword('isdistinct')), { op: 'isdistinct', value: step(value) })),
    attempt(seq((step) => {
      const op = step(ftsOperator);
      const language = step(optional(attempt(between(char('('), char(')'), identifier))));
      step(delimiter);
      const v = step(value);
      return language === undefined ? { op, value: v } : { op, language, value: v };
    })),
    attempt(seq((step) => {
      const op = step(simpleOperator);
      step(delimiter);
      return { op, value: step(value) };
    })),
    attempt(seq((step) => {
      const op = step(quantOperator);
      const quantifier = step(optional(attempt(between(char('('), char(')'), alt(attempt(string('any')), string('all')))))) as 'any' | 'all' | undefined;
      step(delimiter);
      const v = step(value);
      return quantifier === undefined ? { op, value: v } : { op, quantifier, value: v };
    })),
  ), 'operator (eq, gt, ...)');
  return seq((step) => {
    const negated = step(alt(attempt(seq((s) => (s(string('not')), s(delimiter), true))), pure(false)));
    return { negated, ...step(operation) };
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

/**
 * `[not.]op[(modifier)].value` as a filter parameter's value (`inTree` false: the value is taken
 * as it is) or as a term of an and/or tree (quoted values and `{...}` arrays, ending at "," or ")").
 */
export function parseCondition(input: string, inTree = true): Condition {
  const p = inTree ? before(logicFilterValue, eof) : filterValue;
  return finishCondition(parseWith(p, 'filter', input));
}

/** A filter's key, `[embed.]*field[->path]`, as PostgREST's tree path. */
const treePath: Parser<{ path: string[]; field: Field }> = seq((step) => {
  const names = step(sepBy1(fieldName, delimiter));
  const json = step(option([], jsonPath));
  return { path: names.slice(0, -1), field: { name: names[names.length - 1], json } };
});

export function parseTreePath(key: string): { path: string[]; field: Field } {
  const r = parseWith(treePath, 'tree path', key);
  refuseNul('tree path', key, [...r.path, r.field.name]);
  return r;
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

const logicFilter: Parser<Filter> = seq((step) => {
  const f = step(field);
  step(delimiter);
  return { field: f, cond: step(logicFilterValue) };
});

/**
 * Ours beyond PostgREST 13: a term may filter an embedded resource (`clients.name.eq.x`). Tried
 * only after PostgREST's own reading failed, and silent when it fails too, so PostgREST's error
 * stands.
 */
const embeddedLogicFilter: Parser<{ path: string[]; filter: Filter }> = (input, pos) => {
  const path: string[] = [];
  let at = pos;
  for (;;) {
    const name = before(fieldName, delimiter)(input, at);
    if (!name.ok) return { ok: false, consumed: false, err: { pos, msgs: [] } };
    path.push(name.value);
    at = name.pos;
    const f = logicFilter(input, at);
    if (f.ok) return { ...f, consumed: true, value: { path: [...path], filter: f.value } };
  }
};

const logicOperator = label(alt(attempt(string('and')), string('or')), 'logic operator (and, or)') as Parser<'and' | 'or'>;
const negation = label(alt(attempt(seq((step) => (step(string('not')), step(delimiter), true))), pure(false)), 'negation operator (not)');

const logicTree: Parser<LogicTree> = alt<LogicTree>(
  map(attempt(logicFilter), (filter) => ({ kind: 'filter', path: [], filter })),
  map(embeddedLogicFilter, ({ path, filter }) => ({ kind: 'filter', path, filter })),
  seq((step) => {
    const negated = step(negation);
    const op = step(logicOperator);
    step(lexeme(char('(')));
    const children = step(sepBy1((input, pos) => logicTree(input, pos), lexeme(char(','))));
    step(lexeme(char(')')));
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
export function parseLogic(op: 'and' | 'or', negated: boolean, value: string): LogicTree {
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
const modifiers = seq((step) => {
  const dir = step(optional(direction));
  const nulls = step(alt(before(optional(nullsOrder), orderEnd), map(orderEnd, () => undefined)));
  return { direction: dir, nulls };
});
const withModifiers = (t: OrderTerm, m: { direction?: 'asc' | 'desc'; nulls?: 'first' | 'last' }): OrderTerm => {
  if (m.direction) t.direction = m.direction;
  if (m.nulls) t.nulls = m.nulls;
  return t;
};
const orderTerm: Parser<OrderTerm> = seq((step) => {
  const f = step(field);
  return withModifiers({ field: f, relation: undefined }, step(modifiers));
});
const orderRelationTerm: Parser<OrderTerm> = seq((step) => {
  const relation = step(fieldName);
  const f = step(between(char('('), char(')'), field));
  return withModifiers({ field: f, relation }, step(modifiers));
});
const order = sepBy1(lexeme(alt(attempt(orderRelationTerm), orderTerm)), char(','));

/** `order=a.desc.nullslast,rel(col).asc,json->x` */
export function parseOrder(value: string): OrderTerm[] {
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
