import pg from 'pg';
import type { Logger } from 'pino';
import type { DbConfigBase } from './db-config.js';
import { loadSchemaCache, type SchemaCache } from './schema-cache.js';

/**
 * Holds the current schema cache and reloads it when told, as PostgREST does: on
 * `NOTIFY pgrst, 'reload schema'` (or 'reload config', or an empty payload) received on a
 * dedicated LISTEN connection, reconnecting if that connection drops. The in-database
 * configuration (db-config.ts) is part of the cache, so both payloads reload both; a reload that
 * fails (a bad `pgrst.*` value) keeps the cache and configuration it had.
 */
export class SchemaCacheStore {
  private cache: SchemaCache | null = null;
  private listener: pg.Client | null = null;
  private closed = false;
  private reloading: Promise<void> | null = null;
  private pending = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly connectionString: string,
    private readonly schemas: string[],
    private readonly log: Logger,
    /** config.toml's values under the in-database configuration */
    private readonly base: DbConfigBase,
    /** Reloaded alongside the cache (the roles' settings, as PostgREST reloads them with it). */
    private readonly alongside: () => Promise<void> = async () => {},
  ) {}

  current(): SchemaCache | null {
    return this.cache;
  }

  async start(): Promise<void> {
    await this.reload();
    await this.listen();
  }

  /** Loads the cache again; concurrent requests for a reload collapse into one more load. */
  reload(): Promise<void> {
    if (this.reloading) {
      this.pending = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      do {
        this.pending = false;
        try {
          const [cache] = await Promise.all([loadSchemaCache(this.pool, this.schemas, this.base), this.alongside()]);
          this.cache = cache;
          this.log.debug({ relations: this.cache.relations.size }, 'rest schema cache loaded');
        } catch (err) {
          this.log.error({ err }, 'rest schema cache load failed');
        }
      } while (this.pending && !this.closed);
      this.reloading = null;
    })();
    return this.reloading;
  }

  private async listen(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.connectionString, application_name: 'agora-rest-listener' });
    client.on('error', () => this.reconnect(client));
    client.on('end', () => this.reconnect(client));
    client.on('notification', (msg) => {
      const payload = (msg.payload ?? '').trim();
      if (payload === '' || payload === 'reload schema' || payload === 'reload config') void this.reload();
    });
    try {
      await client.connect();
      await client.query('listen pgrst');
      this.listener = client;
    } catch (err) {
      this.log.warn({ err }, 'rest schema listener could not connect; retrying');
      this.reconnect(client);
    }
  }

  private reconnect(client: pg.Client): void {
    if (this.closed || this.retry) return;
    if (this.listener === client) this.listener = null;
    client.end().catch(() => {});
    this.retry = setTimeout(() => {
      this.retry = null;
      // the schema may have changed while no one was listening
      void this.reload().then(() => this.listen());
    }, 1000);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    await this.listener?.end().catch(() => {});
    await this.reloading;
  }
}
