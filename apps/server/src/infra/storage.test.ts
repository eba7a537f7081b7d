import { describe, expect, it } from 'vitest';
import { isStorageFull } from './storage.js';

describe('isStorageFull', () => {
  const errno = (code: string) => Object.assign(new Error(`${code}: write`), { code });

  it('recognizes a full disk or quota from the filesystem, PostgreSQL and S3-compatible stores', () => {
    expect(isStorageFull(errno('ENOSPC'))).toBe(true);
    expect(isStorageFull(errno('EDQUOT'))).toBe(true);
    // PostgreSQL's disk_full, also when a driver wraps it.
    expect(isStorageFull(new Error('query failed', { cause: errno('53100') }))).toBe(true);
    // MinIO answers 507 XMinioStorageFull; any store answering 507 Insufficient Storage counts.
    expect(isStorageFull(Object.assign(new Error('full'), { name: 'XMinioStorageFull' }))).toBe(true);
    expect(isStorageFull(Object.assign(new Error('x'), { $metadata: { httpStatusCode: 507 } }))).toBe(true);
  });

  it('does not mistake other failures for a full disk', () => {
    for (const err of [
      errno('EACCES'),
      errno('EIO'),
      errno('ECONNREFUSED'),
      errno('53300'), // too many connections
      Object.assign(new Error('x'), { $metadata: { httpStatusCode: 503 } }),
      new Error('No space left on device'), // only codes count: a message can say anything
      undefined,
      'ENOSPC',
    ]) {
      expect(isStorageFull(err), String(err)).toBe(false);
    }
  });
});
