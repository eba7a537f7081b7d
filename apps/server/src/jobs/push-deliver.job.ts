import { PUSH_QUEUE, type PushDeliveryService, type PushJobData } from '../modules/devices/push-delivery.service.js';
import type { JobDefinition } from './job-runner.js';

/**
 * Push delivery: one notification to its recipients' devices through Expo and Web Push. Retried with a doubling
 * delay (HIVESYNC_JOB_RETRY_DELAY_SECONDS, then twice that…) up to HIVESYNC_PUSH_RETRY_LIMIT times when a provider
 * is down or asks to slow down; a retry skips the devices already reached.
 */
export function pushDeliverJob(
  push: PushDeliveryService,
  options: { retryLimit: number; timeoutMs: number },
): JobDefinition<PushJobData> {
  return {
    queue: PUSH_QUEUE,
    // Several providers' requests in a row, each with its timeout: the backstop is well above one attempt.
    policy: {
      retryLimit: options.retryLimit,
      retryBackoff: true,
      expireInSeconds: Math.ceil((options.timeoutMs * 20) / 1000) + 60,
    },
    batchSize: 4,
    async handle(data, ctx) {
      await push.deliver(data, {
        lastAttempt: ctx.attempt > options.retryLimit,
        signal: ctx.signal,
        logger: ctx.logger,
      });
    },
    async giveUp(data, reason) {
      push.gaveUp(data, reason);
    },
  };
}
