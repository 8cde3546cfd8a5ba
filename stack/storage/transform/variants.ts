import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { ERRORS } from '../errors.js';
import { transformImage, type Target } from './image.js';
import { transformationsString, type TransformOptions } from './options.js';

export interface Variant {
  format: string;
  data: Buffer;
}

// Variants kept per object version: enough for every size an app uses, while a client cycling
// through parameters cannot fill the disk (past this, variants are made but not kept).
const MAX_VARIANTS_PER_VERSION = 32;

// Variant files known to exist, so a repeated request costs no directory read. Bounded: past
// this the oldest names are forgotten (the files stay and are found again on disk). A name whose
// file went with its version (BlobStore.remove) fails to read and is dropped.
const KNOWN_LIMIT = 10_000;

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
  private readonly known = new Map<string, string>();

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

  private remember(flightKey: string, file: string): void {
    if (this.known.size >= KNOWN_LIMIT) this.known.delete(this.known.keys().next().value!);
    this.known.set(flightKey, file);
  }

  private async read(file: string): Promise<Variant | null> {
    try {
      return { data: await readFile(file), format: path.extname(file).slice(1) };
    } catch {
      return null;
    }
  }

  /** The variant on disk, or how many variants its version already has. */
  private async onDisk(dir: string, key: string): Promise<{ file: string } | number> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return 0;
    }
    const name = names.find((n) => n.startsWith(`${key}.`));
    return name ? { file: path.join(dir, name) } : names.length;
  }

  /** The variant of `version` for these options, made (and kept) on first request. */
  async get(version: string, sourcePath: string, options: TransformOptions, target: Target): Promise<Variant> {
    const dir = VariantCache.dirOf(this.root, version);
    const key = createHash('sha256').update(`${transformationsString(options)}|${target}`).digest('hex').slice(0, 32);
    const flightKey = `${version}/${key}`;
    const knownFile = this.known.get(flightKey);
    if (knownFile) {
      const hit = await this.read(knownFile);
      if (hit) return hit;
      this.known.delete(flightKey);
    }
    let pending = this.inFlight.get(flightKey);
    if (!pending) {
      pending = this.make(dir, key, flightKey, sourcePath, options, target).finally(() => this.inFlight.delete(flightKey));
      this.inFlight.set(flightKey, pending);
    }
    return pending;
  }

  private async make(dir: string, key: string, flightKey: string, sourcePath: string, options: TransformOptions, target: Target): Promise<Variant> {
    const disk = await this.onDisk(dir, key);
    if (typeof disk !== 'number') {
      const hit = await this.read(disk.file);
      if (hit) {
        this.remember(flightKey, disk.file);
        return hit;
      }
    }
    const keep = typeof disk === 'number' && disk < MAX_VARIANTS_PER_VERSION;
    const { data, format } = await this.limit(() => transformImage(sourcePath, options, target));
    if (keep) {
      await mkdir(dir, { recursive: true });
      const file = path.join(dir, `${key}.${format}`);
      // Written aside and renamed, so a reader never sees half a file.
      const temp = path.join(dir, `.${randomUUID()}`);
      await writeFile(temp, data);
      await rename(temp, file);
      this.remember(flightKey, file);
    }
    return { data, format };
  }
}
