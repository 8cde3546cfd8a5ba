import { splitQuery, postgreSplitterOptions } from 'dbgate-query-splitter';
import type pg from 'pg';
import { StackError } from '../errors.js';

export interface Statement {
  text: string;
  /** 1-based line of the statement's first character in its file. */
  line: number;
}

interface RichItem {
  text: string;
  trimStart: { line: number };
}

/** Splits a SQL file into statements, keeping where each starts (dollar quotes, comments and strings aware). */
export function splitStatements(sql: string): Statement[] {
  const items = splitQuery(sql, { ...postgreSplitterOptions, returnRichInfo: true }) as unknown as RichItem[];
  return items
    .map((item) => ({ text: item.text, line: item.trimStart.line + 1 }))
    .filter((s) => stripComments(s.text).trim().length > 0);
}

function stripComments(text: string): string {
  return text.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}

/** The line inside a statement Postgres blames: its error position when it gives one, else the first code line. */
function blamedLine(statement: Statement, position: number | undefined): number {
  if (position && position > 0) {
    return statement.line + (statement.text.slice(0, position - 1).match(/\n/g)?.length ?? 0);
  }
  const lines = statement.text.split('\n');
  const first = lines.findIndex((l) => l.trim() && !l.trim().startsWith('--'));
  return statement.line + Math.max(first, 0);
}

export interface PgError extends Error {
  code?: string;
  position?: string;
  detail?: string;
  hint?: string;
  where?: string;
}

/**
 * Runs a file's statements one by one on a client that is already inside a transaction, so a
 * failure names the file, the line and Postgres's own message.
 */
export async function runScript(client: pg.ClientBase, file: string, sql: string): Promise<Statement[]> {
  const statements = splitStatements(sql);
  for (const statement of statements) {
    try {
      await client.query(statement.text);
    } catch (err) {
      const e = err as PgError;
      const line = blamedLine(statement, e.position ? Number(e.position) : undefined);
      const extra = [e.detail && `DETAIL: ${e.detail}`, e.hint && `HINT: ${e.hint}`].filter(Boolean).join(' ');
      throw new StackError(`${file}:${line}: ${e.message}${e.code ? ` (SQLSTATE ${e.code})` : ''}${extra ? ` ${extra}` : ''}`);
    }
  }
  return statements;
}
