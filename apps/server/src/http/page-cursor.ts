import { errors } from '@hivesync/core';

/** Where a page ends in a list ordered by a time and an id: the key of its last row. */
export interface PageKey {
  at: Date;
  id: string;
}

/**
 * Opaque page cursors for lists ordered by (time, id): base64url JSON of the last row's key. Times travel in
 * milliseconds, so the queries order and compare on times truncated to milliseconds too.
 */
export const pageCursor = {
  encode(key: PageKey): string {
    return Buffer.from(JSON.stringify([key.at.toISOString(), key.id])).toString('base64url');
  },
  /** The key a cursor carries; validation_error for anything that is not a `next_cursor` of this list. */
  decode(cursor: string): PageKey {
    try {
      const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      if (Array.isArray(key) && key.length === 2 && typeof key[0] === 'string' && typeof key[1] === 'string') {
        const at = new Date(key[0]);
        if (!Number.isNaN(at.getTime())) return { at, id: key[1] };
      }
    } catch {
      // reported below
    }
    throw errors.validation('cursor: must be a next_cursor from a previous page.', {
      issues: [{ path: 'query.cursor', message: 'must be a next_cursor from a previous page' }],
    });
  },
};
