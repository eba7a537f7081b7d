import { setTimeout as sleep } from 'node:timers/promises';
import { CANARY_QUEUE } from '../modules/admin/admin.service.js';
import type { AdminRepository } from '../modules/admin/admin.repository.js';
import type { NotificationsService } from '../modules/notifications/notifications.service.js';
import type { JobDefinition } from './job-runner.js';

const POLICY = { retryLimit: 3, retryBackoff: true, expireInSeconds: 15 * 60 };

/**
 * The canary: waits `delay_ms` and completes. Admins send it to prove the queue and the workers work end to end,
 * and the crash tests use it as a job that is observably in flight.
 */
export function canaryJob(
  repo: AdminRepository,
  notifications: NotificationsService,
): JobDefinition<{ canary_id: string }> {
  return {
    queue: CANARY_QUEUE,
    policy: POLICY,
    batchSize: 4,
    async handle({ canary_id }, ctx) {
      const row = await repo.startCanary(canary_id, ctx.workerId);
      if (!row) return; // already finished: a duplicate delivery
      const changed = () => (row.requestedBy ? notifications.pollStateChanged(row.requestedBy) : undefined);
      await changed();
      ctx.logger.info({ canary_id, attempt: ctx.attempt }, 'canary running');
      try {
        await sleep(row.delayMs, undefined, { signal: ctx.signal });
      } catch (err) {
        if (ctx.attempt > POLICY.retryLimit) await repo.finishCanary(canary_id, 'failed');
        throw err;
      }
      await repo.finishCanary(canary_id, 'completed');
      await changed();
    },
    // Its last attempt failed, or an admin cancelled it: the row says it ended.
    async giveUp({ canary_id }) {
      await repo.failUnfinishedCanary(canary_id);
    },
  };
}
