import { createClient, type Client } from '@pgkit/client';
import { Migration } from '@pgkit/migra';

// What `supabase db diff` leaves to the platform (its migra engine: internal/db/diff/). Schemas
// that only local tooling, extensions or Supabase itself own are never diffed...
const PLATFORM_SCHEMAS = [
  '_analytics', '_realtime', '_supavisor',
  'cron', 'graphql', 'graphql_public', 'net', 'pgroonga', 'pgtle', 'repack', 'tiger_data', 'vault',
  'pgsodium', 'pgsodium_masks',
  'pgbouncer', 'supabase_functions', 'supabase_migrations',
  // ...and neither is this stack's own bookkeeping.
  '_agora',
];
// ...schemas Supabase manages, where an app adds only triggers and RLS policies (e.g. on storage.objects)...
const MANAGED_SCHEMAS = ['auth', 'realtime', 'storage'];
// ...and schemas that hold extensions: only which extensions exist is diffed there.
const EXTENSION_SCHEMAS = ['pg_catalog', 'extensions', 'pgmq', 'tiger', 'topology'];

/** Forces schema-qualified names in what the catalog prints (pg_get_expr, defaults, policies). */
function inspectorUrl(url: string): string {
  const u = new URL(url);
  u.searchParams.set('options', '-c search_path=pg_catalog');
  u.searchParams.set('application_name', 'agora-diff');
  return u.toString();
}

type Scope = { schema: string } | { exclude_schema: string[] };

async function changes(from: Client, to: Client, scope: Scope, pick: (m: Migration) => void): Promise<string[]> {
  const m = await Migration.create(from, to, { ...scope, ignore_extension_versions: true } as Parameters<typeof Migration.create>[2]);
  m.set_safety(false);
  pick(m);
  return [...m.statements];
}

/**
 * The statements that turn the schema of database `fromUrl` into that of `toUrl`, as the CLI's
 * migra engine computes them: extensions first, then everything the app owns (tables, columns,
 * constraints, functions, triggers, RLS policies, grants), then the app's triggers and policies on
 * Supabase's own tables. An empty list means the two schemas are the same.
 */
export async function diffDatabases(fromUrl: string, toUrl: string): Promise<string[]> {
  const from = createClient(inspectorUrl(fromUrl));
  const to = createClient(inspectorUrl(toUrl));
  try {
    const out: string[] = [];
    for (const schema of EXTENSION_SCHEMAS) {
      out.push(...await changes(from, to, { schema }, (m) => {
        m.add(m.changes.schemas({ creations_only: true }));
        m.add_extension_changes();
      }));
    }
    out.push(...await changes(from, to, { exclude_schema: [...MANAGED_SCHEMAS, ...EXTENSION_SCHEMAS, ...PLATFORM_SCHEMAS] }, (m) => {
      m.add_all_changes(true);
    }));
    for (const schema of MANAGED_SCHEMAS) {
      out.push(...await changes(from, to, { schema }, (m) => {
        m.add(m.changes.triggers({ drops_only: true }));
        m.add(m.changes.rlspolicies({ drops_only: true }));
        m.add(m.changes.rlspolicies({ creations_only: true }));
        m.add(m.changes.triggers({ creations_only: true }));
      }));
    }
    return out.map((s) => s.trim()).filter(Boolean);
  } finally {
    await Promise.all([from.end(), to.end()]);
  }
}
