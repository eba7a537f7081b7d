import type { NotificationType } from '@hivesync/core';
import type { Database, Tx } from '../../infra/db.js';
import type { Logger } from '../../infra/logger.js';
import type { Queue } from '../../infra/queue.js';
import type { PushRequest } from '../notifications/notifications.service.js';
import { pushMessage, type PushMessage } from '../notifications/push-message.js';
import { DevicesRepository, type DeviceRow } from './devices.repository.js';
import { PushDeliveriesRepository } from './push-deliveries.repository.js';
import type { ExpoPushProvider, PushOutcome, WebPushProvider } from './push-providers.js';

/** Queue of the push delivery job (jobs/push-deliver.job.ts). */
export const PUSH_QUEUE = 'push-deliver';

/** A push delivery job's data: one notification for some of its users (ids only, and the payload with names). */
export interface PushJobData {
  type: NotificationType;
  project_id: string | null;
  payload: Record<string, unknown>;
  recipients: { user_id: string; notification_id: string; stored: boolean }[];
}

// Recipients per job: a broadcast to every user becomes several jobs.
const RECIPIENTS_PER_JOB = 100;
// Receipts read per run of the receipt check.
const RECEIPTS_PER_RUN = 5000;
// A ticket whose receipt Expo never produced is given up after a day (Expo keeps receipts about that long).
const RECEIPT_GIVE_UP_MS = 24 * 60 * 60 * 1000;

/**
 * Push to devices: the delivery job's work (providers `expo` and `webpush`), and the Expo receipt check. Durable
 * like every job: the job is enqueued in the notifying transaction (pg-boss on the same database), so a notification
 * and its push commit together, and a worker that dies mid-delivery leaves the job to be retried. Pushes of stored
 * notifications are recorded per device, so a retry sends only to the devices not reached yet.
 */
export class PushDeliveryService {
  private readonly devices: DevicesRepository;
  private readonly deliveries: PushDeliveriesRepository;

  constructor(
    private readonly db: Database,
    private readonly queue: Queue,
    private readonly providers: { expo: ExpoPushProvider; webpush: WebPushProvider },
    private readonly logger: Logger,
    private readonly options: { receiptDelayMs: number },
  ) {
    this.devices = new DevicesRepository(db.orm);
    this.deliveries = new PushDeliveriesRepository(db.orm);
  }

  /** NotificationsService's push hook: enqueues delivery for the recipients that have a device, in `tx`. */
  async enqueue(tx: Tx, request: PushRequest): Promise<void> {
    const withDevices = await this.devices.usersWithDevices(
      tx.orm,
      request.recipients.map((r) => r.userId),
    );
    const recipients = request.recipients.filter((r) => withDevices.has(r.userId));
    for (let i = 0; i < recipients.length; i += RECIPIENTS_PER_JOB) {
      const data: PushJobData = {
        type: request.type,
        project_id: request.projectId,
        payload: request.payload,
        recipients: recipients
          .slice(i, i + RECIPIENTS_PER_JOB)
          .map((r) => ({ user_id: r.userId, notification_id: r.notificationId, stored: r.stored })),
      };
      await this.queue.send(PUSH_QUEUE, data, tx);
    }
  }

  /**
   * One attempt of a delivery job: pushes to every device of each recipient not reached yet. Devices the provider
   * calls gone are removed. Throws when some push may work later (the queue retries, with a growing delay); on the
   * last attempt those are recorded as failed first.
   */
  async deliver(
    data: PushJobData,
    ctx: { lastAttempt: boolean; signal?: AbortSignal; logger?: Logger },
  ): Promise<void> {
    const log = ctx.logger ?? this.logger;
    const expo: { device: DeviceRow; notificationId: string; stored: boolean; message: PushMessage }[] = [];
    const web: typeof expo = [];
    for (const r of data.recipients) {
      const message = pushMessage({
        notificationId: r.notification_id,
        type: data.type,
        projectId: data.project_id,
        payload: data.payload,
      });
      const done = r.stored ? await this.deliveries.doneDevices(r.notification_id) : new Set<string>();
      for (const device of await this.devices.listForUser(r.user_id)) {
        if (done.has(device.id)) continue;
        const item = { device, notificationId: r.notification_id, stored: r.stored, message };
        (device.provider === 'expo' ? expo : web).push(item);
      }
    }
    const outcomes: { item: (typeof expo)[number]; outcome: PushOutcome }[] = [];
    if (expo.length > 0) {
      const results = await this.providers.expo.send(
        expo.map((e) => ({ token: e.device.token, message: e.message })),
        ctx.signal,
      );
      expo.forEach((item, i) => outcomes.push({ item, outcome: results[i]! }));
    }
    for (const item of web) {
      const keys = item.device.keys;
      const outcome: PushOutcome = keys
        ? await this.providers.webpush.send({ endpoint: item.device.token, keys }, item.message)
        : { kind: 'failed', reason: 'the subscription has no keys', retry: false };
      outcomes.push({ item, outcome });
    }

    const sent: string[] = [];
    const retry: typeof outcomes = [];
    const record: Parameters<PushDeliveriesRepository['record']>[0] = [];
    for (const { item, outcome } of outcomes) {
      const fields = { device_id: item.device.id, provider: item.device.provider, type: data.type };
      if (outcome.kind === 'sent') {
        sent.push(item.device.id);
        if (item.stored) {
          record.push({
            notificationId: item.notificationId,
            deviceId: item.device.id,
            status: 'sent',
            receiptId: outcome.receiptId ?? null,
          });
        }
      } else if (outcome.kind === 'invalid') {
        await this.devices.deleteInvalid(item.device.id, item.device.token);
        log.info({ ...fields, reason: outcome.reason }, 'push provider says the device is gone: removed it');
      } else if (outcome.retry && !ctx.lastAttempt) {
        retry.push({ item, outcome });
      } else {
        log.warn({ ...fields, reason: outcome.reason }, 'push failed');
        if (item.stored) {
          record.push({
            notificationId: item.notificationId,
            deviceId: item.device.id,
            status: 'failed',
            error: outcome.reason,
          });
        }
      }
    }
    await this.deliveries.record(record);
    await this.devices.touchPushed(sent);
    if (retry.length > 0) {
      const reasons = [...new Set(retry.map((r) => (r.outcome as { reason: string }).reason))].join('; ');
      throw new Error(`${retry.length} push(es) to try again: ${reasons}`);
    }
  }

  /** The queue gave up on a delivery job (its pushes that failed are already recorded or logged). */
  gaveUp(data: PushJobData, reason: string): void {
    this.logger.warn({ type: data.type, recipients: data.recipients.length, reason }, 'push delivery gave up');
  }

  /**
   * Reads the receipts of Expo tickets sent at least HIVESYNC_PUSH_RECEIPT_DELAY_SECONDS ago: `ok` settles them,
   * `DeviceNotRegistered` removes the device, another error is recorded. Returns how many were settled.
   */
  async checkReceipts(now = new Date()): Promise<number> {
    const due = await this.deliveries.dueReceipts(
      new Date(now.getTime() - this.options.receiptDelayMs),
      RECEIPTS_PER_RUN,
    );
    if (due.length === 0) return 0;
    const receipts = await this.providers.expo.receipts(due.map((d) => d.receiptId));
    let settled = 0;
    await this.db.transaction(async (tx) => {
      for (const d of due) {
        const r = receipts.get(d.receiptId);
        const key = [{ notificationId: d.notificationId, deviceId: d.deviceId }];
        if (!r) {
          // Not ready yet; past a day it never will be.
          if (now.getTime() - d.sentAt.getTime() > RECEIPT_GIVE_UP_MS) {
            await this.deliveries.settle(tx.orm, 'failed', key, 'no receipt');
            settled++;
          }
          continue;
        }
        settled++;
        if (r.status === 'ok') await this.deliveries.settle(tx.orm, 'delivered', key);
        else await this.deliveries.settle(tx.orm, 'failed', key, r.error);
      }
    });
    for (const d of due) {
      const r = receipts.get(d.receiptId);
      if (r?.status === 'error' && r.error === 'DeviceNotRegistered') {
        await this.devices.deleteInvalid(d.deviceId, d.token);
        this.logger.info(
          { device_id: d.deviceId, provider: 'expo' },
          'expo receipt says the device is gone: removed it',
        );
      }
    }
    return settled;
  }
}
