import { and, eq, isNotNull, lt } from 'drizzle-orm';
import { devices, pushDeliveries } from '../../db/schema.js';
import type { Orm } from '../../infra/db.js';

/** Pushes of stored notifications to devices: what a retry skips, and the Expo tickets whose receipts are due. */
export class PushDeliveriesRepository {
  constructor(private readonly orm: Orm) {}

  /** The devices a notification was already pushed to (or refused for good). */
  async doneDevices(notificationId: string): Promise<Set<string>> {
    const rows = await this.orm
      .select({ deviceId: pushDeliveries.deviceId })
      .from(pushDeliveries)
      .where(eq(pushDeliveries.notificationId, notificationId));
    return new Set(rows.map((r) => r.deviceId));
  }

  /** Records pushes; a row already there (a duplicate delivery of the job) is left as it is. */
  async record(
    rows: {
      notificationId: string;
      deviceId: string;
      status: 'sent' | 'failed';
      receiptId?: string | null;
      error?: string | null;
    }[],
  ): Promise<void> {
    if (rows.length === 0) return;
    await this.orm.insert(pushDeliveries).values(rows).onConflictDoNothing();
  }

  /** Expo tickets sent before `before` whose receipt has not been read, with their device and its token. */
  async dueReceipts(
    before: Date,
    limit: number,
  ): Promise<{ notificationId: string; deviceId: string; receiptId: string; token: string; sentAt: Date }[]> {
    const rows = await this.orm
      .select({
        notificationId: pushDeliveries.notificationId,
        deviceId: pushDeliveries.deviceId,
        receiptId: pushDeliveries.receiptId,
        token: devices.token,
        sentAt: pushDeliveries.sentAt,
      })
      .from(pushDeliveries)
      .innerJoin(devices, eq(devices.id, pushDeliveries.deviceId))
      .where(
        and(eq(pushDeliveries.status, 'sent'), isNotNull(pushDeliveries.receiptId), lt(pushDeliveries.sentAt, before)),
      )
      .orderBy(pushDeliveries.sentAt)
      .limit(limit);
    return rows.map((r) => ({ ...r, receiptId: r.receiptId! }));
  }

  /** Settles receipts: `delivered`, or `failed` with the provider's error. */
  async settle(
    orm: Orm,
    status: 'delivered' | 'failed',
    keys: { notificationId: string; deviceId: string }[],
    error: string | null = null,
  ): Promise<void> {
    for (const k of keys) {
      await orm
        .update(pushDeliveries)
        .set({ status, error })
        .where(and(eq(pushDeliveries.notificationId, k.notificationId), eq(pushDeliveries.deviceId, k.deviceId)));
    }
  }
}
