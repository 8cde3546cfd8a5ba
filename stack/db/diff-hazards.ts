// Statements in a generated diff that destroy stored data, so a person reads them before applying.
// Dropping a policy, trigger, index or function loses no rows: those are left unflagged.
const RULES: Array<{ pattern: RegExp; reason: string }> = [
  { pattern: /^\s*drop\s+table\b/i, reason: 'drops a table and its rows' },
  { pattern: /^\s*drop\s+schema\b/i, reason: 'drops a schema and everything in it' },
  { pattern: /^\s*drop\s+(materialized\s+view|sequence)\b/i, reason: 'drops stored state' },
  { pattern: /^\s*drop\s+type\b/i, reason: 'drops a type (and any column still using it)' },
  { pattern: /^\s*drop\s+extension\b/i, reason: 'drops an extension and the objects it owns' },
  { pattern: /^\s*alter\s+table\b[\s\S]*\bdrop\s+column\b/i, reason: 'drops a column and its values' },
  { pattern: /^\s*alter\s+table\b[\s\S]*\b(set\s+data\s+type|alter\s+column\s+\S+\s+type)\b/i, reason: 'changes a column type: values may be cut or fail to convert' },
  { pattern: /^\s*alter\s+type\b[\s\S]*\brename\s+value\b/i, reason: 'renames an enum value stored in rows' },
  { pattern: /^\s*(truncate|delete\s+from)\b/i, reason: 'deletes rows' },
];

export interface Hazard {
  statement: string;
  reason: string;
}

export function dataLossReason(statement: string): string | null {
  return RULES.find((r) => r.pattern.test(statement))?.reason ?? null;
}

export function findHazards(statements: string[]): Hazard[] {
  return statements.flatMap((statement) => {
    const reason = dataLossReason(statement);
    return reason ? [{ statement, reason }] : [];
  });
}

/** The migration file's text: every statement, each data-losing one preceded by a warning comment. */
export function formatMigration(statements: string[]): string {
  return statements
    .map((s) => {
      const body = /;\s*$/.test(s) ? s : `${s};`;
      const reason = dataLossReason(s);
      return reason ? `-- WARNING: data loss: ${reason}. Check before applying.\n${body}` : body;
    })
    .join('\n\n')
    .concat('\n');
}
