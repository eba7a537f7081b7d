import { PREVIEW_BUILD_QUEUE, type PreviewBuildsService } from '../modules/previews/preview-builds.service.js';
import type { JobDefinition } from './job-runner.js';

/** Builds a preview on the server, in the sandbox (the `cpu` pool). */
export function previewBuildJob(
  builds: PreviewBuildsService,
  options: { timeoutMs: number },
): JobDefinition<{ build_id: string }> {
  return {
    queue: PREVIEW_BUILD_QUEUE,
    // A failed build is reported, not thrown: only an infrastructure error (storage, database) is retried.
    policy: { retryLimit: 2, retryBackoff: true, expireInSeconds: Math.ceil(options.timeoutMs / 1000) + 120 },
    batchSize: 1,
    loops: 2,
    handle: ({ build_id }, ctx) => builds.run(build_id, ctx.logger),
    giveUp: ({ build_id }, reason) => builds.abandon(build_id, reason),
  };
}
