import crypto from 'node:crypto';
import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import { devices } from '../../db/schema.js';
import type { Orm } from '../../infra/db.js';

export type DeviceRow = typeof devices.$inferSelect;

/** What registering a device stores. */
export interface DeviceInput {
  platform: 'ios' | 'android' | 'web';
  provider: 'expo' | 'webpush';
  token: string;
  keys: { p256dh: string; auth: string } | null;
  appVersion: string | null;
  name: string | null;
}

/** Devices that receive push notifications. */
export class DevicesRepository {
  constructor(private readonly orm: Orm) {}

  /**
   * Stores a device, or updates the one with the same token (moving it to `userId` if another user had it: a
   * token is one device, and it now belongs to whoever signed in on it last). `created` tells which.
   */
  async upsert(userId: string, input: DeviceInput): Promise<{ row: DeviceRow; created: boolean }> {
    const [row] = await this.orm
      .insert(devices)
      .values({ id: crypto.randomUUID(), userId, ...input })
      .onConflictDoUpdate({
        target: devices.token,
        set: {
          userId,
          platform: input.platform,
          provider: input.provider,
          keys: input.keys,
          appVersion: input.appVersion,
          name: input.name,
          updatedAt: sql`now()`,
        },
      })
      // xmax = 0 only for a freshly inserted row (an update leaves the old version's transaction id there).
      .returning({ id: devices.id, created: sql<boolean>`(xmax = 0)` });
    const [device] = await this.orm.select().from(devices).where(eq(devices.id, row!.id));
    return { row: device!, created: row!.created === true };
  }

  /** A user's devices, oldest first. */
  async listForUser(userId: string): Promise<DeviceRow[]> {
    return this.orm.select().from(devices).where(eq(devices.userId, userId)).orderBy(asc(devices.createdAt));
  }

  /** How many devices a user has, not counting the one with `token` (which registering again only updates). */
  async countOthers(userId: string, token: string): Promise<number> {
    const [row] = await this.orm
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(devices)
      .where(and(eq(devices.userId, userId), ne(devices.token, token)));
    return row?.n ?? 0;
  }

  /** Deletes one of a user's devices; false when the user has no such device. */
  async deleteOwn(userId: string, id: string): Promise<boolean> {
    const rows = await this.orm
      .delete(devices)
      .where(and(eq(devices.id, id), eq(devices.userId, userId)))
      .returning({ id: devices.id });
    return rows.length > 0;
  }

  /** Deletes a device the provider called invalid (only while it still has that token). */
  async deleteInvalid(id: string, token: string): Promise<boolean> {
    const rows = await this.orm
      .delete(devices)
      .where(and(eq(devices.id, id), eq(devices.token, token)))
      .returning({ id: devices.id });
    return rows.length > 0;
  }

  /** Which of these users have at least one device (in the caller's transaction). */
  async usersWithDevices(orm: Orm, userIds: string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const rows = await orm
      .selectDistinct({ userId: devices.userId })
      .from(devices)
      .where(inArray(devices.userId, userIds));
    return new Set(rows.map((r) => r.userId));
  }

  /** Records that a push reached the provider for these devices. */
  async touchPushed(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.orm
      .update(devices)
      .set({ lastPushAt: sql`now()` })
      .where(inArray(devices.id, ids));
  }
}
