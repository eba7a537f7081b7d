import { and, eq, inArray, sql } from 'drizzle-orm';
import { notificationPreferences } from '../../db/schema.js';
import type { Orm } from '../../infra/db.js';

/** A user's channels for one type. */
export interface Channels {
  inApp: boolean;
  push: boolean;
}

/** Per-user, per-type channel choices; a missing row means every channel on. */
export class NotificationPreferencesRepository {
  constructor(private readonly orm: Orm) {}

  /** A user's stored choices, by type. */
  async forUser(userId: string): Promise<Map<string, Channels>> {
    const rows = await this.orm
      .select()
      .from(notificationPreferences)
      .where(eq(notificationPreferences.userId, userId));
    return new Map(rows.map((r) => [r.type, { inApp: r.inApp, push: r.push }]));
  }

  /** The stored choices of these users for one type (in the caller's transaction); users without one are absent. */
  async forType(orm: Orm, userIds: string[], type: string): Promise<Map<string, Channels>> {
    const rows = await orm
      .select()
      .from(notificationPreferences)
      .where(and(eq(notificationPreferences.type, type), inArray(notificationPreferences.userId, userIds)));
    return new Map(rows.map((r) => [r.userId, { inApp: r.inApp, push: r.push }]));
  }

  /**
   * Sets the given channels of the given types, in the caller's transaction; channels not given keep their stored
   * value (on when never set).
   */
  async update(orm: Orm, userId: string, changes: { type: string; inApp?: boolean; push?: boolean }[]): Promise<void> {
    const current = await this.forTypes(orm, userId, [...new Set(changes.map((c) => c.type))]);
    const merged = new Map<string, Channels>();
    for (const c of changes) {
      const was = merged.get(c.type) ?? current.get(c.type) ?? { inApp: true, push: true };
      merged.set(c.type, { inApp: c.inApp ?? was.inApp, push: c.push ?? was.push });
    }
    await orm
      .insert(notificationPreferences)
      .values([...merged].map(([type, ch]) => ({ userId, type, inApp: ch.inApp, push: ch.push })))
      .onConflictDoUpdate({
        target: [notificationPreferences.userId, notificationPreferences.type],
        set: { inApp: sql`excluded.in_app`, push: sql`excluded.push` },
      });
  }

  private async forTypes(orm: Orm, userId: string, types: string[]): Promise<Map<string, Channels>> {
    const rows = await orm
      .select()
      .from(notificationPreferences)
      .where(and(eq(notificationPreferences.userId, userId), inArray(notificationPreferences.type, types)))
      .for('update');
    return new Map(rows.map((r) => [r.type, { inApp: r.inApp, push: r.push }]));
  }
}
