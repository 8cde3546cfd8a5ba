import type { StackConfig } from './load.js';

type Table = Record<string, unknown>;

function table(value: unknown): Table {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Table) : {};
}

/** `[storage]` settings beyond the buckets, with the CLI's defaults. */
export interface StorageSettings {
  /**
   * `[storage.image_transformation] enabled`: the CLI starts its image proxy only when the
   * section is present and enabled, so an absent section means off.
   */
  imageTransformation: boolean;
  /** How long an unfinished resumable upload may sit before it is removed (Storage's TUS_URL_EXPIRY_MS: one hour). */
  resumableExpiryMs: number;
  /**
   * libuv's thread pool, which sharp and file I/O share: UV_THREADPOOL_SIZE, else libuv's four.
   * `npm start` sets five (libuv reads it once, before the stack's code runs): four
   * transformations at a time, as many as a feed loads at once, and one thread for file I/O.
   */
  threadPoolSize: number;
}

const HOUR = 60 * 60 * 1000;

export function storageSettings(config: StackConfig): StorageSettings {
  const storage = table(config.raw.storage);
  const transform = table(storage.image_transformation);
  return {
    imageTransformation: transform.enabled === true,
    resumableExpiryMs: HOUR,
    threadPoolSize: Math.max(1, Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10) || 4),
  };
}
