import crypto from 'node:crypto';
import { and, asc, desc, eq, gt, inArray, isNull, notInArray, sql } from 'drizzle-orm';
import type { NotificationType } from '@hivesync/core';
import { aiJobs, canaries, notifications, notificationState, projects, repoSyncs, users } from '../../db/schema.js';
import type { Orm } from '../../infra/db.js';

export type NotificationRow = typeof notifications.$inferSelect;

/** Notifications and the per-user version that makes an unchanged poll cheap. */
export class NotificationsRepository {
  constructor(private readonly orm: Orm) {}

  /** Inserts one notification per user and bumps each user's version, in the caller's transaction. */
  async insert(
    orm: Orm,
    userIds: string[],
    n: { projectId: string | null; type: NotificationType; payload: Record<string, unknown> },
  ): Promise<NotificationRow[]> {
    if (userIds.length === 0) return [];
    const rows = await orm
      .insert(notifications)
      .values(
        userIds.map((userId) => ({
          id: crypto.randomUUID(),
          userId,
          projectId: n.projectId,
          type: n.type,
          payload: n.payload,
        })),
      )
      .returning();
    await this.bumpVersions(orm, userIds);
    return rows;
  }

  async bumpVersions(orm: Orm, userIds: string[]): Promise<void> {
    await orm
      .insert(notificationState)
      .values(userIds.map((userId) => ({ userId, version: 1 })))
      .onConflictDoUpdate({
        target: notificationState.userId,
        set: { version: sql`${notificationState.version} + 1` },
      });
  }

  /**
   * Everything a poll needs to decide on a 304: the user's notification version, and whether the user has work
   * queued or running (which shortens the poll interval). One round trip.
   */
  async pollState(userId: string): Promise<{ version: number; active: boolean }> {
    const [row] = await this.orm
      .select({
        version:
          sql<number>`coalesce((select ${notificationState.version} from ${notificationState} where ${notificationState.userId} = ${userId}), 0)`.mapWith(
            Number,
          ),
        active: sql<boolean>`(
          exists (select 1 from ${canaries} where ${canaries.requestedBy} = ${userId} and ${canaries.status} in ('queued', 'running'))
          or exists (select 1 from ${repoSyncs} where ${repoSyncs.requestedBy} = ${userId}
                     and ${repoSyncs.status} in ('queued', 'running', 'updating_files', 'cleaning', 'finalizing'))
          or exists (select 1 from ${aiJobs} where ${aiJobs.requestedBy} = ${userId} and ${aiJobs.status} in ('queued', 'running')))`,
      })
      .from(sql`(select 1) as one`);
    return { version: row?.version ?? 0, active: row?.active === true };
  }

  /**
   * A page of a user's notifications in ascending order. With `afterSeq`, those after it; without, the newest
   * `limit` (still ascending), so a first poll shows what is recent.
   */
  async list(
    userId: string,
    opts: { afterSeq?: number; unreadOnly: boolean; limit: number; excludeTypes?: readonly string[] },
  ): Promise<NotificationRow[]> {
    const where = and(
      eq(notifications.userId, userId),
      opts.unreadOnly ? isNull(notifications.readAt) : undefined,
      opts.excludeTypes?.length ? notInArray(notifications.type, [...opts.excludeTypes]) : undefined,
      opts.afterSeq !== undefined ? gt(notifications.seq, opts.afterSeq) : undefined,
    );
    if (opts.afterSeq !== undefined) {
      return this.orm.select().from(notifications).where(where).orderBy(asc(notifications.seq)).limit(opts.limit);
    }
    const newest = await this.orm
      .select()
      .from(notifications)
      .where(where)
      .orderBy(desc(notifications.seq))
      .limit(opts.limit);
    return newest.reverse();
  }

  /** A project's name and users' display names, for the payloads people read. */
  async names(
    orm: Orm,
    ids: { projectId: string | null; userIds: string[] },
  ): Promise<{ project: string | undefined; users: Map<string, string> }> {
    const [project] = ids.projectId
      ? await orm.select({ name: projects.name }).from(projects).where(eq(projects.id, ids.projectId))
      : [];
    const people = ids.userIds.length
      ? await orm
          .select({ id: users.id, name: users.displayName })
          .from(users)
          .where(inArray(users.id, [...new Set(ids.userIds)]))
      : [];
    return { project: project?.name, users: new Map(people.map((u) => [u.id, u.name])) };
  }

  /** The highest sequence number among a user's notifications (0 when none). */
  async latestSeq(userId: string): Promise<number> {
    const [row] = await this.orm
      .select({ seq: sql<number>`coalesce(max(${notifications.seq}), 0)`.mapWith(Number) })
      .from(notifications)
      .where(eq(notifications.userId, userId));
    return row?.seq ?? 0;
  }

  async markRead(orm: Orm, userId: string, ids: string[] | 'all'): Promise<number> {
    const rows = await orm
      .update(notifications)
      .set({ readAt: new Date() })
      .where(
        and(
          eq(notifications.userId, userId),
          isNull(notifications.readAt),
          ids === 'all' ? undefined : inArray(notifications.id, ids),
        ),
      )
      .returning({ id: notifications.id });
    if (rows.length > 0) await this.bumpVersions(orm, [userId]);
    return rows.length;
  }
}
