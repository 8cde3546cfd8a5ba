import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { ERRORS } from '../errors.js';
import { transformImage, type Target } from './image.js';
import { transformationsString, type TransformOptions } from './options.js';

export interface Variant {
  path: string;
  size: number;
  format: string;
  /** Set when the variant was not kept (the version has its fill of them): the bytes themselves. */
  data?: Buffer;
}

// Variants kept per object version: enough for every size an app uses, while a client cycling
// through parameters cannot fill the disk (past this, variants are made but not kept).
const MAX_VARIANTS_PER_VERSION = 32;

/**
 * Transformed images on disk: `<root>/<object version>/<hash of options and target>.<format>`.
 * Object versions are immutable (a change is a new version), so a variant never goes stale; the
 * folder goes when its version's bytes do (BlobStore.remove). At most three transforms run at a
 * time, and identical requests in flight share one.
 */
export class VariantCache {
  // sharp works on libuv's thread pool (four threads unless UV_THREADPOOL_SIZE says otherwise),
  // which file reads and writes share: three transforms at most, so uploads and downloads always
  // find a thread.
  private readonly limit = pLimit(3);
  private readonly inFlight = new Map<string, Promise<Variant>>();

  constructor(readonly root: string) {}

  static dirOf(root: string, version: string): string {
    if (!/^[0-9a-f-]{36}$/i.test(version)) throw ERRORS.internal('invalid object version');
    return path.join(root, version);
  }

  private async cached(dir: string, key: string): Promise<Variant | number> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return 0;
    }
    const name = names.find((n) => n.startsWith(`${key}.`));
    if (!name) return names.length;
    const file = path.join(dir, name);
    try {
      return { path: file, size: (await stat(file)).size, format: name.slice(key.length + 1) };
    } catch {
      return names.length;
    }
  }

  /** The variant of `version` for these options, made (and kept) on first request. */
  async get(version: string, sourcePath: string, sourceSize: number, options: TransformOptions, target: Target): Promise<Variant> {
    const dir = VariantCache.dirOf(this.root, version);
    const key = createHash('sha256').update(`${transformationsString(options)}|${target}`).digest('hex').slice(0, 32);
    const hit = await this.cached(dir, key);
    if (typeof hit !== 'number') return hit;
    const keep = hit < MAX_VARIANTS_PER_VERSION;
    const flightKey = `${version}/${key}`;
    let pending = this.inFlight.get(flightKey);
    if (!pending) {
      pending = this.limit(async () => {
        const { data, format } = await transformImage(sourcePath, sourceSize, options, target);
        if (!keep) return { path: '', size: data.length, format, data };
        await mkdir(dir, { recursive: true });
        const file = path.join(dir, `${key}.${format}`);
        // Written aside and renamed, so a reader never sees half a file.
        const temp = path.join(dir, `.${randomUUID()}`);
        await writeFile(temp, data);
        await rename(temp, file);
        return { path: file, size: data.length, format };
      }).finally(() => this.inFlight.delete(flightKey));
      this.inFlight.set(flightKey, pending);
    }
    return pending;
  }

  async remove(version: string): Promise<void> {
    await rm(VariantCache.dirOf(this.root, version), { recursive: true, force: true });
  }
}
