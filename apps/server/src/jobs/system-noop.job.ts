import type { JobDefinition } from './job-runner.js';

/** Queue name of the no-op probe job. */
export const NOOP_QUEUE = 'system-noop';

/**
 * A job that does nothing: the queue's own throughput, measured by `POST /admin/queue-probe` and `npm run bench`.
 * Large batches and no lease (a lost no-op is simply retried by the queue's timeout).
 */
export function noopJob(): JobDefinition<{ probe: string }> {
  return {
    queue: NOOP_QUEUE,
    policy: { retryLimit: 1, retryBackoff: false, expireInSeconds: 60 },
    batchSize: 250,
    loops: 2,
    lease: false,
    handle: async () => undefined,
  };
}
