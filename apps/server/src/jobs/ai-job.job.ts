import { AI_QUEUE, type AiService } from '../modules/ai/ai.service.js';
import type { JobDefinition } from './job-runner.js';

const RETRY_LIMIT = 2;

/** Runs an AI job: reads the mirror at the job's commit, proposes a patch. */
export function aiJob(ai: AiService): JobDefinition<{ ai_job_id: string }> {
  return {
    queue: AI_QUEUE,
    policy: { retryLimit: RETRY_LIMIT, retryBackoff: true, expireInSeconds: 15 * 60 },
    batchSize: 1,
    loops: 2,
    // The last attempt records the failure on the job instead of leaving it running.
    handle: ({ ai_job_id }, ctx) => ai.run(ai_job_id, ctx.attempt, ctx.logger, RETRY_LIMIT),
    giveUp: ({ ai_job_id }, reason) => ai.abandon(ai_job_id, reason),
  };
}
