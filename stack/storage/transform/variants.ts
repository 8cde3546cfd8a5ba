import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { ERRORS } from '../errors.js';
import { IMAGE_ERRORS, SOURCE_LIMITS, sourceFormat, transformImage, type Target } from './image.js';
import { transformationsString, type TransformOptions } from './options.js';

export interface Variant {
  format: string;
  data: Buffer;
}

// Variants kept per object version: enough for every size an app uses, while a client cycling
// through parameters cannot fill the disk (past this, variants are made but not kept).
const MAX_VARIANTS_PER_VERSION = 32;

// Versions whose variants this process knows (names read from disk once, then kept as they are
// made), so a request costs no directory read. Bounded: past this the least recently used
// version is forgotten (its files stay and are read from disk again when asked for).
const KNOWN_VERSIONS = 2_000;

/** What this process knows of one object version. */
interface KnownVersion {
  /** variant key -> format, of the files in its folder */
  names: Map<string, string>;
  /** the source's sniffed format, once a variant of it was made (a version's bytes never change) */
  source?: string | null;
}

/**
 * Transformed images on disk: `<root>/<object version>/<hash of options and target>.<format>`.
 * Object versions are immutable (a change is a new version), so a variant never goes stale; the
 * folder goes when its version's bytes do (BlobStore.remove). Transforms run at most one fewer
 * at a time than libuv has threads, and identical requests in flight share one.
 */
export class VariantCache {
  // sharp works on libuv's thread pool, which file reads and writes share: one thread is always
  // left for uploads and downloads.
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly inFlight = new Map<string, Promise<Variant>>();
  private readonly known = new Map<string, KnownVersion>();

  constructor(
    readonly root: string,
    threadPoolSize: number,
  ) {
    this.limit = pLimit(Math.max(1, threadPoolSize - 1));
  }

  static dirOf(root: string, version: string): string {
    if (!/^[0-9a-f-]{36}$/i.test(version)) throw ERRORS.internal('invalid object version');
    return path.join(root, version);
  }

  /** The variants of `version` on disk, read once and then kept up to date by this process. */
  private async variantsOf(version: string, dir: string): Promise<KnownVersion> {
    let entry = this.known.get(version);
    if (entry) {
      this.known.delete(version); // re-inserted below: the map's order is recency
    } else {
      entry = { names: new Map() };
      try {
        for (const file of await readdir(dir)) {
          const dot = file.indexOf('.');
          if (dot > 0) entry.names.set(file.slice(0, dot), file.slice(dot + 1));
        }
      } catch {
        // no folder yet: no variants
      }
      if (this.known.size >= KNOWN_VERSIONS) this.known.delete(this.known.keys().next().value!);
    }
    this.known.set(version, entry);
    return entry;
  }

  /** The variant of `version` for these options, made (and kept) on first request. */
  async get(version: string, sourcePath: string, sourceSize: number, options: TransformOptions, target: Target): Promise<Variant> {
    const dir = VariantCache.dirOf(this.root, version);
    const key = createHash('sha256').update(`${transformationsString(options)}|${target}`).digest('hex').slice(0, 32);
    const entry = await this.variantsOf(version, dir);
    const format = entry.names.get(key);
    if (format) {
      try {
        return { data: await readFile(path.join(dir, `${key}.${format}`)), format };
      } catch {
        // removed with its version: read the folder afresh next time
        this.known.delete(version);
      }
    }
    const flightKey = `${version}/${key}`;
    let pending = this.inFlight.get(flightKey);
    if (!pending) {
      pending = this.make(dir, key, entry, sourcePath, sourceSize, options, target).finally(() => this.inFlight.delete(flightKey));
      this.inFlight.set(flightKey, pending);
    }
    return pending;
  }

  private async make(dir: string, key: string, entry: KnownVersion, sourcePath: string, sourceSize: number, options: TransformOptions, target: Target): Promise<Variant> {
    const { names } = entry;
    // Storage's recorded size is checked before a byte is read.
    if (sourceSize > SOURCE_LIMITS.bytes) throw IMAGE_ERRORS.tooLarge();
    if (entry.source === undefined) entry.source = await sourceFormat(sourcePath);
    const source = entry.source;
    const { data, format } = await this.limit(() => transformImage(sourcePath, sourceSize, source, options, target));
    if (names.size < MAX_VARIANTS_PER_VERSION) {
      // Written aside and renamed, so a reader never sees half a file. A variant that cannot be
      // kept (the folder went with its version, a full disk) is still answered.
      const temp = path.join(dir, `.${randomUUID()}`);
      try {
        if (names.size === 0) await mkdir(dir, { recursive: true });
        await writeFile(temp, data);
        await rename(temp, path.join(dir, `${key}.${format}`));
        names.set(key, format);
      } catch {
        this.known.delete(path.basename(dir));
        await rm(temp, { force: true }).catch(() => undefined);
      }
    }
    return { data, format };
  }
}
