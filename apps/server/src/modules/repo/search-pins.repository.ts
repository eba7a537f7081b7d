import { and, eq, inArray } from 'drizzle-orm';
import { aiJobs, suggestions, threads } from '../../db/schema.js';
import type { Orm } from '../../infra/db.js';

/**
 * The commits that open threads and undecided suggestions of a project were made at: once indexed, they stay
 * indexed for search whatever HIVESYNC_SEARCH_KEEP_COMMITS says.
 */
export class SearchPinsRepository {
  constructor(private readonly orm: Orm) {}

  async pinnedCommits(projectId: string): Promise<string[]> {
    const open = await this.orm
      .selectDistinct({ commit: threads.commit })
      .from(threads)
      .where(and(eq(threads.projectId, projectId), eq(threads.state, 'open')));
    const undecided = await this.orm
      .selectDistinct({ commit: aiJobs.commit })
      .from(suggestions)
      .innerJoin(aiJobs, eq(aiJobs.id, suggestions.jobId))
      .where(and(eq(suggestions.projectId, projectId), inArray(suggestions.state, ['proposed', 'approved'])));
    return [...new Set([...open, ...undecided].map((r) => r.commit))];
  }
}
