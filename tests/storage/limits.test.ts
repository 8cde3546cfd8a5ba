import { describe, expect, it } from 'vitest';
import { StorageError } from '../../stack/storage/errors.js';
import { mustBeAllowedMimeType, mustBeValidBucketName, mustBeValidKey, parseFileSize } from '../../stack/storage/limits.js';
import { parseRange } from '../../stack/storage/render.js';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as StorageError).code;
  }
  return null;
};

describe('storage rules without a database', () => {
  it('parses file size limits as the CLI and Storage write them', () => {
    expect(parseFileSize(2048)).toBe(2048);
    expect(parseFileSize('50MiB')).toBe(50 * 1024 * 1024);
    expect(parseFileSize('20MB')).toBe(20_000_000);
    expect(parseFileSize('3B')).toBe(3);
    expect(parseFileSize(null)).toBeNull();
    expect(code(() => parseFileSize('lots'))).toBe('InvalidRequest');
    expect(code(() => parseFileSize(-1))).toBe('InvalidRequest');
  });

  it('matches allowed MIME types exactly or by type/* wildcard, ignoring parameters', () => {
    expect(code(() => mustBeAllowedMimeType('image/png', ['image/*']))).toBeNull();
    expect(code(() => mustBeAllowedMimeType('text/plain;charset=UTF-8', ['text/plain']))).toBeNull();
    expect(code(() => mustBeAllowedMimeType('video/mp4', ['image/*']))).toBe('InvalidMimeType');
    expect(code(() => mustBeAllowedMimeType('anything/at-all', null))).toBeNull();
  });

  it('refuses keys and bucket names Storage refuses', () => {
    expect(code(() => mustBeValidKey('folder/cat (1).png'))).toBeNull();
    expect(code(() => mustBeValidKey('a/../b'))).toBe('InvalidKey');
    expect(code(() => mustBeValidKey('tab\there'))).toBe('InvalidKey');
    expect(code(() => mustBeValidKey(''))).toBe('InvalidKey');
    expect(code(() => mustBeValidBucketName('post-media'))).toBeNull();
    expect(code(() => mustBeValidBucketName('a/b'))).toBe('InvalidBucketName');
  });

  it('reads single byte ranges, and refuses unsatisfiable ones', () => {
    expect(parseRange(null, 10)).toBeNull();
    expect(parseRange('bytes=0-3', 10)).toEqual({ start: 0, end: 3 });
    expect(parseRange('bytes=5-', 10)).toEqual({ start: 5, end: 9 });
    expect(parseRange('bytes=-4', 10)).toEqual({ start: 6, end: 9 });
    expect(parseRange('bytes=8-100', 10)).toEqual({ start: 8, end: 9 });
    expect(code(() => parseRange('bytes=10-12', 10))).toBe('InvalidRange');
    expect(code(() => parseRange('items=0-1', 10))).toBe('InvalidRange');
  });

  it('renders errors as Storage does: HTTP 400 with the real status in the body', () => {
    const err = new StorageError('NoSuchKey', 404, 'Object not found', 'not_found');
    expect(err.httpStatus).toBe(400);
    expect(err.render()).toEqual({ statusCode: '404', code: 'NoSuchKey', error: 'not_found', message: 'Object not found' });
    expect(new StorageError('InternalError', 500, 'x').httpStatus).toBe(500);
  });
});
