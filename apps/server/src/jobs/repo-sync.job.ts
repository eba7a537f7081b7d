import { SYNC_QUEUE, type RepoService } from '../modules/repo/repo.service.js';
import type { JobDefinition } from './job-runner.js';

/** Runs one sync attempt; network failures come back through the queue's delayed retries. */
export function repoSyncJob(
  repo: RepoService,
  options: { retryLimit: number; retryDelaySeconds: number; gitTimeoutMs: number },
): JobDefinition<{ sync_id: string }> {
  return {
    queue: SYNC_QUEUE,
    policy: {
      retryLimit: options.retryLimit,
      retryBackoff: true,
      retryDelaySeconds: options.retryDelaySeconds,
      // A clone is a handful of git operations, each bounded by the git timeout.
      expireInSeconds: Math.ceil((options.gitTimeoutMs * 4) / 1000) + 60,
      // One sync of a project at a time, including the worktree catch-up that follows a completed sync.
      onePerKey: true,
    },
    batchSize: 1,
    loops: 2,
    handle: ({ sync_id }, ctx) => repo.runSync(sync_id, ctx.attempt, ctx.logger),
    giveUp: ({ sync_id }, reason) => repo.abandonSync(sync_id, reason),
  };
}
