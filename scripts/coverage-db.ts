import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';

export interface DbObject {
  kind: 'table' | 'policy' | 'function' | 'trigger';
  name: string;
  /** Where it lives, for the report: `public.posts`, `storage.objects`, ... */
  on: string;
}

// The app's objects: what the migrations create in public (and private, the app's helper
// schema), plus their policies on storage.objects and triggers on auth.users. Extension-owned
// objects are not ours.
const objectsSql = `
select 'table' as kind, c.relname as name, n.nspname as "on"
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where n.nspname = 'public' and c.relkind in ('r', 'p')
    and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e')
union all
select 'policy', p.polname, n.nspname || '.' || c.relname
  from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace
  where n.nspname in ('public', 'storage')
union all
select 'function', p.proname, n.nspname
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where n.nspname in ('public', 'private')
    and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
union all
select 'trigger', t.tgname, n.nspname || '.' || c.relname
  from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
  join pg_proc f on f.oid = t.tgfoid join pg_namespace fn on fn.oid = f.pronamespace
  where not t.tgisinternal and (n.nspname = 'public' or fn.nspname in ('public', 'private'))
order by 1, 3, 2`;

export async function appObjects(dbUrl: string): Promise<DbObject[]> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    return (await client.query<DbObject>(objectsSql)).rows;
  } finally {
    await client.end();
  }
}

// Between files in pgtapText: a trigger must be named by one file together with its table.
const FILE_BREAK = '\u0000';

/** The text of every pgTAP file: an object counts as tested when a file names it. */
export function pgtapText(dir: string): string {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => readFileSync(path.join(dir, f), 'utf8'))
    .join(`\n${FILE_BREAK}\n`)
    .replace(/''/g, "'") // names inside SQL string literals: post''s -> post's
    .toLowerCase();
}

function named(text: string, name: string): boolean {
  const escaped = name.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^a-z0-9_])${escaped}($|[^a-z0-9_])`).test(text);
}

// Trigger names are unique per table only (set_updated_at is on three tables): naming one must
// not count for the others, so a file has to name the trigger and its table.
function triggerNamed(text: string, trigger: DbObject): boolean {
  const table = trigger.on.split('.').pop() ?? trigger.on;
  return text.split(FILE_BREAK).some((file) => named(file, trigger.name) && named(file, table));
}

export interface DbCoverage {
  byKind: Record<DbObject['kind'], { total: number; named: number; missing: DbObject[] }>;
}

export function dbCoverage(objects: DbObject[], text: string): DbCoverage {
  const byKind = Object.fromEntries(
    (['table', 'policy', 'function', 'trigger'] as const).map((kind) => {
      const all = objects.filter((o) => o.kind === kind);
      const missing = all.filter((o) => !(kind === 'trigger' ? triggerNamed(text, o) : named(text, o.name)));
      return [kind, { total: all.length, named: all.length - missing.length, missing }];
    }),
  ) as DbCoverage['byKind'];
  return { byKind };
}
