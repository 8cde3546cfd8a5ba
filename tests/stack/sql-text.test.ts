import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ident, lit, splitTopLevel, unquote } from '../../stack/db/sql.js';
import { stack } from '../support/env.js';

// The one place SQL text is quoted and filter lists are split, for REST and Realtime alike.

describe('quoting', () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: stack().dbUrl });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
  });

  const hostile = ["plain", "it's", 'say "hi"', 'back\\slash', "\\'; drop table x; --", 'Ünïcødé ✓', "''", '\\\\', ''];

  it('a literal reads back as exactly the value, whatever quotes and backslashes it holds', async () => {
    for (const value of hostile) {
      const { rows } = await client.query(`select ${lit(value)}::text as v`);
      expect(rows[0].v).toBe(value);
    }
  });

  it('a literal means the same with standard_conforming_strings off', async () => {
    await client.query('set standard_conforming_strings = off');
    try {
      for (const value of hostile) {
        const { rows } = await client.query(`select ${lit(value)}::text as v`);
        expect(rows[0].v).toBe(value);
      }
    } finally {
      await client.query('reset standard_conforming_strings');
    }
  });

  it('an identifier names exactly the column it quotes', async () => {
    for (const name of hostile.filter(Boolean)) {
      const { rows } = await client.query(`select 1 as ${ident(name)}`);
      expect(Object.keys(rows[0])).toEqual([name]);
    }
  });

  it('quotes as node-postgres does', () => {
    for (const value of hostile) {
      expect(lit(value)).toBe(pg.Client.prototype.escapeLiteral(value));
      expect(ident(value)).toBe(pg.Client.prototype.escapeIdentifier(value));
    }
  });
});

describe('splitting at the top level', () => {
  it('splits on the separator outside brackets and double quotes', () => {
    expect(splitTopLevel('a,b(c,d),e{f,g},h[i,j],"k,l",m')).toEqual(['a', 'b(c,d)', 'e{f,g}', 'h[i,j]', '"k,l"', 'm']);
  });

  it('takes another separator, and only the brackets it is told to nest', () => {
    expect(splitTopLevel('a.b(c.d).e', '.')).toEqual(['a', 'b(c.d)', 'e']);
    expect(splitTopLevel('x=in.(1,2),y=eq.{a,b}', ',', '(')).toEqual(['x=in.(1,2)', 'y=eq.{a', 'b}']);
  });

  it('skips an escaped quote inside quotes', () => {
    expect(splitTopLevel('"a\\",b",c')).toEqual(['"a\\",b"', 'c']);
  });

  it('keeps empty pieces and the whole input when there is no separator', () => {
    expect(splitTopLevel('')).toEqual(['']);
    expect(splitTopLevel('a,,b,')).toEqual(['a', '', 'b', '']);
    expect(splitTopLevel('abc')).toEqual(['abc']);
  });

  it('never splits after an unbalanced closing bracket', () => {
    expect(splitTopLevel('a),b')).toEqual(['a),b']);
  });
});

describe('unquoting', () => {
  it('removes the quotes and unescapes backslashes in a quoted value', () => {
    expect(unquote('"a,b"')).toBe('a,b');
    expect(unquote('"say \\"hi\\" \\\\ there"')).toBe('say "hi" \\ there');
  });

  it('leaves anything not wholly quoted as it is', () => {
    for (const s of ['plain', '"open', 'close"', '"', '', 'a"b"']) expect(unquote(s)).toBe(s);
  });
});
