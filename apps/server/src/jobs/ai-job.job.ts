import { AI_QUEUE, type AiService } from '../modules/ai/ai.service.js';
import type { JobDefinition } from './job-runner.js';

/** Runs an AI job: reads the mirror at the job's commit, proposes a patch. */
export function aiJob(ai: AiService): JobDefinition<{ ai_job_id: string }> {
  return {
    queue: AI_QUEUE,
    policy: { retryLimit: 2, retryBackoff: true, expireInSeconds: 15 * 60 },
    batchSize: 1,
    loops: 2,
    handle: ({ ai_job_id }, ctx) => ai.run(ai_job_id, ctx.attempt, ctx.logger),
  };
}
