import crypto from 'node:crypto';
import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lt, notInArray, sql } from 'drizzle-orm';
import type { NotificationType } from '@hivesync/core';
import {
  aiJobs,
  canaries,
  notificationClientReads,
  notifications,
  notificationState,
  projects,
  repoSyncs,
  users,
} from '../../db/schema.js';
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
   * `limit` (still ascending), so a first poll shows what is recent; with `beforeSeq`, the newest `limit` of those
   * before it. With `client`, read state is that client's:
   * `readAt` is when it was read for all or on that client, and `unreadOnly` leaves out both.
   */
  async list(
    userId: string,
    opts: {
      afterSeq?: number;
      /** Only those before it (older): the newest `limit` of them. */
      beforeSeq?: number;
      unreadOnly: boolean;
      limit: number;
      excludeTypes?: readonly string[];
      /** Only these types (all when empty). */
      onlyTypes?: readonly string[];
      client?: string;
    },
  ): Promise<NotificationRow[]> {
    const client = opts.client;
    const where = and(
      eq(notifications.userId, userId),
      opts.unreadOnly ? isNull(notifications.readAt) : undefined,
      opts.unreadOnly && client !== undefined ? isNull(notificationClientReads.readAt) : undefined,
      opts.excludeTypes?.length ? notInArray(notifications.type, [...opts.excludeTypes]) : undefined,
      opts.onlyTypes?.length ? inArray(notifications.type, [...opts.onlyTypes]) : undefined,
      opts.afterSeq !== undefined ? gt(notifications.seq, opts.afterSeq) : undefined,
      opts.beforeSeq !== undefined ? lt(notifications.seq, opts.beforeSeq) : undefined,
    );
    const ascending = opts.afterSeq !== undefined;
    const query = this.orm
      .select({ n: notifications, clientReadAt: notificationClientReads.readAt })
      .from(notifications)
      .leftJoin(
        notificationClientReads,
        and(
          eq(notificationClientReads.notificationId, notifications.id),
          // Without a client the join matches nothing (no client is named ''), and costs one index probe.
          eq(notificationClientReads.client, client ?? ''),
        ),
      )
      .where(where)
      .orderBy(ascending ? asc(notifications.seq) : desc(notifications.seq))
      .limit(opts.limit);
    const rows = (await query).map(({ n, clientReadAt }) => ({ ...n, readAt: n.readAt ?? clientReadAt }));
    return ascending ? rows : rows.reverse();
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

  /**
   * Marks a user's notifications (the given ids, or all) read for one client only; those read for all already are
   * left alone. Returns how many were unread on that client.
   */
  async markReadForClient(orm: Orm, userId: string, client: string, ids: string[] | 'all'): Promise<number> {
    const unread = await orm
      .select({ id: notifications.id })
      .from(notifications)
      .leftJoin(
        notificationClientReads,
        and(eq(notificationClientReads.notificationId, notifications.id), eq(notificationClientReads.client, client)),
      )
      .where(
        and(
          eq(notifications.userId, userId),
          isNull(notifications.readAt),
          isNull(notificationClientReads.readAt),
          ids === 'all' ? undefined : inArray(notifications.id, ids),
        ),
      );
    let marked = 0;
    for (let i = 0; i < unread.length; i += 1000) {
      const rows = await orm
        .insert(notificationClientReads)
        .values(unread.slice(i, i + 1000).map((r) => ({ notificationId: r.id, client })))
        .onConflictDoNothing()
        .returning({ id: notificationClientReads.notificationId });
      marked += rows.length;
    }
    if (marked > 0) await this.bumpVersions(orm, [userId]);
    return marked;
  }

  /**
   * Deletes up to `limit` read notifications created before `before` (their per-client marks go with them) and
   * bumps their owners' versions, in the caller's transaction; returns how many were deleted and whose they were.
   */
  async deleteReadBefore(orm: Orm, before: Date, limit: number): Promise<{ deleted: number; owners: string[] }> {
    const batch = orm
      .select({ id: notifications.id })
      .from(notifications)
      .where(and(isNotNull(notifications.readAt), lt(notifications.createdAt, before)))
      .limit(limit);
    const rows = await orm
      .delete(notifications)
      .where(inArray(notifications.id, batch))
      .returning({ userId: notifications.userId });
    const owners = [...new Set(rows.map((r) => r.userId))];
    if (owners.length > 0) await this.bumpVersions(orm, owners);
    return { deleted: rows.length, owners };
  }

  /** Marks a user's notifications (the given ids, or all) read on every client. */
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
