import { fileTypeFromBuffer } from 'file-type';
import { LIMITS, type MediaKind, TYPES, type UploadKind } from './limits.ts';

export interface Detected {
  mime: string;
  kind: MediaKind;
  extension: string;
}

export type Verdict = { ok: true; type: Detected } | { ok: false; reason: string };

/**
 * Decides from the file's own bytes what it is. The name's extension and the declared type are
 * only allowed to agree with that: a PNG named `.mp4`, or HTML named `.jpg`, is refused.
 */
export async function judge(bytes: Uint8Array, fileName: string, declaredType: string, upload: UploadKind): Promise<Verdict> {
  const sniffed = await fileTypeFromBuffer(bytes.subarray(0, 64 * 1024));
  const known = sniffed ? TYPES[sniffed.mime] : undefined;
  if (!sniffed || !known) return { ok: false, reason: 'The file is not a supported image or video' };
  if (!LIMITS[upload].kinds.includes(known.kind)) return { ok: false, reason: `A ${upload === 'avatar' ? 'profile picture' : 'post'} cannot be a ${known.kind}` };
  const dot = fileName.lastIndexOf('.');
  const ext = dot > 0 ? fileName.slice(dot + 1).toLowerCase() : '';
  if (ext && !known.extensions.includes(ext)) return { ok: false, reason: `The file's content (${sniffed.mime}) does not match its name (.${ext})` };
  const declared = declaredType.split(';')[0].trim().toLowerCase();
  if (declared && declared !== 'application/octet-stream' && declared !== sniffed.mime) {
    return { ok: false, reason: `The file's content (${sniffed.mime}) does not match its declared type (${declared})` };
  }
  return { ok: true, type: { mime: sniffed.mime, kind: known.kind, extension: known.extensions[0] } };
}
