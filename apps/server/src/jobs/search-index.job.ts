import { SEARCH_INDEX_QUEUE, type CodeSearchService } from '../modules/repo/code-search.service.js';
import type { JobDefinition } from './job-runner.js';

/** Indexes one commit of a project for search (a commit searched before it was indexed, a rebuild, a retry). */
export function searchIndexJob(
  search: CodeSearchService,
  options: { gitTimeoutMs: number },
): JobDefinition<{ project_id: string; commit: string }> {
  return {
    queue: SEARCH_INDEX_QUEUE,
    policy: {
      retryLimit: 3,
      retryBackoff: true,
      retryDelaySeconds: 30,
      // Listing the tree and reading the new blobs: two git commands, each bounded by the git timeout.
      expireInSeconds: Math.ceil((options.gitTimeoutMs * 3) / 1000) + 60,
      // One job per project and commit at a time (the key); the index's own lock serializes writers of a project.
      onePerKey: true,
    },
    batchSize: 1,
    loops: 1,
    lease: true,
    handle: (data, ctx) => search.runIndexJob(data, ctx.logger),
  };
}
