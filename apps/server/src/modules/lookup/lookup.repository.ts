import { and, asc, eq, like } from 'drizzle-orm';
import type { LookupKind } from '@hivesync/core';
import { aiJobs, previews, projectMembers, repoSyncs, suggestions, threads } from '../../db/schema.js';
import type { Orm } from '../../infra/db.js';

// Each kind's table: all of them have a text `id` and the `project_id` it belongs to.
const TABLES = {
  thread: threads,
  suggestion: suggestions,
  job: aiJobs,
  preview: previews,
  sync: repoSyncs,
} as const;

/** Ids by prefix, across the projects a user is a member of. */
export class LookupRepository {
  constructor(private readonly orm: Orm) {}

  /**
   * Up to `limit` ids of `kind` that start with `prefix` (only [0-9a-f-], so nothing in it is a LIKE wildcard), in
   * projects `userId` is a member of, in id order.
   */
  async idsByPrefix(kind: LookupKind, prefix: string, userId: string, limit: number): Promise<string[]> {
    const table = TABLES[kind];
    const rows = await this.orm
      .select({ id: table.id })
      .from(table)
      .innerJoin(projectMembers, and(eq(projectMembers.projectId, table.projectId), eq(projectMembers.userId, userId)))
      .where(like(table.id, `${prefix}%`))
      .orderBy(asc(table.id))
      .limit(limit);
    return rows.map((r) => r.id);
  }
}
