import {
  errors,
  LOOKUP_KIND_NOUN as NOUN,
  MAX_LOOKUP_CANDIDATES,
  type LookupKind,
  type LookupResult,
} from '@hivesync/core';
import type { Database } from '../../infra/db.js';
import type { AuthContext } from '../auth/auth.types.js';
import { LookupRepository } from './lookup.repository.js';

/** Short ids: the one resource an id prefix names, so that clients can take `1f0c9a2b` where a UUID is expected. */
export class LookupService {
  readonly repo: LookupRepository;

  constructor(db: Database) {
    this.repo = new LookupRepository(db.orm);
  }

  /**
   * The id of the one `kind` whose id starts with `prefix`, among the caller's projects. Resources of other projects
   * are never counted, so a prefix that only they match is not_found; several matches are a conflict listing them.
   */
  async resolve(auth: AuthContext, kind: LookupKind, prefix: string): Promise<LookupResult> {
    // One more than we list: enough to tell "exactly ten" from "more than ten".
    const ids = await this.repo.idsByPrefix(kind, prefix, auth.userId, MAX_LOOKUP_CANDIDATES + 1);
    if (ids.length === 0) throw errors.notFound(NOUN[kind]);
    if (ids.length === 1) return { kind, id: ids[0]! };
    const candidates = ids.slice(0, MAX_LOOKUP_CANDIDATES);
    const count = ids.length > MAX_LOOKUP_CANDIDATES ? `more than ${MAX_LOOKUP_CANDIDATES}` : String(ids.length);
    throw errors.conflict(`The prefix ${prefix} matches ${count} ${NOUN[kind]}s; give more characters of the id.`, {
      kind,
      prefix,
      candidates,
    });
  }
}
