import { and, asc, count, desc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { comments, projectMembers, tasks, threadPositions, threads, users } from '../../db/schema.js';
import type { Orm } from '../../infra/db.js';

export type ThreadRow = typeof threads.$inferSelect;
export type CommentRow = typeof comments.$inferSelect & { authorName: string };
export type PositionRow = typeof threadPositions.$inferSelect;
export type TaskRow = typeof tasks.$inferSelect;
/**
 * A thread as listed: its row, its stored position at the asked commit (else its latest stored one, if any), its
 * first comment and count, and the key that orders it (for the next page's cursor).
 */
export interface ListedThreadRow {
  thread: ThreadRow;
  position: PositionRow | null;
  firstComment: CommentRow | null;
  commentCount: number;
  key: ThreadKey;
}

/** Where a thread stands in the list order: anchor path, start line, creation time (in microseconds), id. */
export type ThreadKey = [path: string, startLine: number, createdAtMicros: string, id: string];

/** Threads, their comments and per-commit positions, and tasks. */
export class ThreadsRepository {
  constructor(private readonly orm: Orm) {}

  async insertThread(orm: Orm, row: typeof threads.$inferInsert): Promise<ThreadRow> {
    const [inserted] = await orm.insert(threads).values(row).returning();
    return inserted!;
  }

  /** A thread; `orm` is a transaction's when called inside one (the embedded database has one connection). */
  async findThread(id: string, orm: Orm = this.orm): Promise<ThreadRow | undefined> {
    const [row] = await orm.select().from(threads).where(eq(threads.id, id)).limit(1);
    return row;
  }

  async listThreads(projectId: string, filter: { path?: string; state?: 'open' | 'resolved' }): Promise<ThreadRow[]> {
    return this.orm
      .select()
      .from(threads)
      .where(
        and(
          eq(threads.projectId, projectId),
          filter.path ? eq(threads.path, filter.path) : undefined,
          filter.state ? eq(threads.state, filter.state) : undefined,
        ),
      )
      .orderBy(asc(threads.path), asc(threads.startLine), asc(threads.createdAt));
  }

  /**
   * One query for a page of a project's threads in list order (anchor path, start line, creation, id) after `after`,
   * with, for each, its stored position at `commit` (else the latest one stored), its first comment (with its
   * author's name) and its number of comments not deleted. `path` filters on the position's path, `participant` on
   * who started or took part in the thread. The page is chosen
   * first, so the per-thread lookups run for its rows only.
   */
  async listThreadsPage(
    projectId: string,
    filter: {
      state?: 'open' | 'resolved';
      commit?: string;
      path?: string;
      /** Only the threads this user started or has a comment (not deleted) in. */
      participant?: string;
      after?: ThreadKey;
      limit: number;
    },
  ): Promise<ListedThreadRow[]> {
    const at = alias(threadPositions, 'at_commit');
    const atJoin = filter.commit ? and(eq(at.threadId, threads.id), eq(at.commit, filter.commit)) : sql`false`;
    // The latest stored position, looked up only for threads with none at the commit (between a sync and the end
    // of its re-anchoring, or at a commit never synced).
    const latest = this.orm
      .select()
      .from(threadPositions)
      .where(and(eq(threadPositions.threadId, threads.id), sql`${at.threadId} is null`))
      .orderBy(desc(threadPositions.computedAt))
      .limit(1)
      .as('latest');
    const micros = sql<string>`(extract(epoch from ${threads.createdAt}) * 1000000)::bigint::text`;
    // Without a path filter the page is chosen from the threads alone (no position lookups for the other threads).
    const candidates = this.orm.select({ id: threads.id }).from(threads);
    const page = (filter.path ? candidates.leftJoin(at, atJoin).leftJoinLateral(latest, sql`true`) : candidates)
      .where(
        and(
          eq(threads.projectId, projectId),
          filter.state ? eq(threads.state, filter.state) : undefined,
          filter.participant
            ? sql`(${threads.createdBy} = ${filter.participant} or exists (
                select 1 from ${comments} c
                where c.thread_id = ${threads.id} and c.author_id = ${filter.participant} and c.deleted_at is null))`
            : undefined,
          filter.path ? sql`coalesce(${at.path}, ${latest.path}, ${threads.path}) = ${filter.path}` : undefined,
          filter.after
            ? sql`(${threads.path}, ${threads.startLine}, (extract(epoch from ${threads.createdAt}) * 1000000)::bigint, ${threads.id})
                > (${filter.after[0]}, ${filter.after[1]}, ${filter.after[2]}::bigint, ${filter.after[3]})`
            : undefined,
        ),
      )
      .orderBy(asc(threads.path), asc(threads.startLine), asc(threads.createdAt), asc(threads.id))
      .limit(filter.limit)
      .as('page');
    // Each thread's first comment with its author's name: one index probe per thread (comments_thread_created_idx).
    const first = this.orm
      .select({
        id: comments.id,
        threadId: comments.threadId,
        authorId: comments.authorId,
        aiJobId: comments.aiJobId,
        body: comments.body,
        createdAt: comments.createdAt,
        editedAt: comments.editedAt,
        deletedAt: comments.deletedAt,
        authorName: users.displayName,
      })
      .from(comments)
      .leftJoin(users, eq(users.id, comments.authorId))
      .where(eq(comments.threadId, threads.id))
      .orderBy(asc(comments.createdAt), asc(comments.id))
      .limit(1)
      .as('first_comment');
    const rows = await this.orm
      .select({
        thread: threads,
        at,
        latest: {
          threadId: latest.threadId,
          commit: latest.commit,
          path: latest.path,
          startLine: latest.startLine,
          endLine: latest.endLine,
          status: latest.status,
          reason: latest.reason,
          text: latest.text,
          computedAt: latest.computedAt,
        },
        first: {
          id: first.id,
          threadId: first.threadId,
          authorId: first.authorId,
          aiJobId: first.aiJobId,
          body: first.body,
          createdAt: first.createdAt,
          editedAt: first.editedAt,
          deletedAt: first.deletedAt,
          authorName: first.authorName,
        },
        commentCount: sql<number>`(
          select count(*) from ${comments} c where c.thread_id = ${threads.id} and c.deleted_at is null
        )`.mapWith(Number),
        micros,
      })
      .from(page)
      .innerJoin(threads, eq(threads.id, page.id))
      .leftJoin(at, atJoin)
      .leftJoinLateral(latest, sql`true`)
      .leftJoinLateral(first, sql`true`)
      .orderBy(asc(threads.path), asc(threads.startLine), asc(threads.createdAt), asc(threads.id));
    return rows.map((r) => ({
      thread: r.thread,
      position: r.at ?? (r.latest?.threadId ? (r.latest as PositionRow) : null),
      firstComment: r.first
        ? { ...r.first, authorName: r.first.aiJobId ? 'HiveSync AI' : (r.first.authorName ?? 'deleted user') }
        : null,
      commentCount: r.commentCount,
      key: [r.thread.path, r.thread.startLine, r.micros, r.thread.id],
    }));
  }

  /**
   * The next `limit` open threads of a project (by id, after `afterId`) with no position stored at `commit`: the
   * re-anchoring after a sync walks them in small batches, so no one query holds the event loop for long.
   */
  async openThreadsWithoutPosition(
    projectId: string,
    commit: string,
    afterId: string | undefined,
    limit: number,
  ): Promise<ThreadRow[]> {
    const rows = await this.orm
      .select({ thread: threads })
      .from(threads)
      .leftJoin(threadPositions, and(eq(threadPositions.threadId, threads.id), eq(threadPositions.commit, commit)))
      .where(
        and(
          eq(threads.projectId, projectId),
          eq(threads.state, 'open'),
          isNull(threadPositions.threadId),
          afterId ? gt(threads.id, afterId) : undefined,
        ),
      )
      .orderBy(asc(threads.id))
      .limit(limit);
    return rows.map((r) => r.thread);
  }

  async setState(id: string, state: 'open' | 'resolved', by: string): Promise<ThreadRow | undefined> {
    const [row] = await this.orm
      .update(threads)
      .set(
        state === 'resolved'
          ? { state, resolvedAt: new Date(), resolvedBy: by }
          : { state, resolvedAt: null, resolvedBy: null },
      )
      .where(eq(threads.id, id))
      .returning();
    return row;
  }

  async deleteThread(id: string): Promise<void> {
    await this.orm.delete(threads).where(eq(threads.id, id));
  }

  async insertComment(orm: Orm, row: typeof comments.$inferInsert): Promise<void> {
    await orm.insert(comments).values(row);
  }

  async listComments(threadId: string): Promise<CommentRow[]> {
    const rows = await this.orm
      .select({ comment: comments, name: users.displayName })
      .from(comments)
      .leftJoin(users, eq(users.id, comments.authorId))
      .where(eq(comments.threadId, threadId))
      .orderBy(asc(comments.createdAt), asc(comments.id));
    return rows.map((r) => ({
      ...r.comment,
      authorName: r.comment.aiJobId ? 'HiveSync AI' : (r.name ?? 'deleted user'),
    }));
  }

  async commentCounts(threadIds: string[]): Promise<Map<string, number>> {
    if (threadIds.length === 0) return new Map();
    const rows = await this.orm
      .select({ threadId: comments.threadId, n: count() })
      .from(comments)
      .where(and(inArray(comments.threadId, threadIds), isNull(comments.deletedAt)))
      .groupBy(comments.threadId);
    return new Map(rows.map((r) => [r.threadId, Number(r.n)]));
  }

  async findComment(threadId: string, commentId: string) {
    const [row] = await this.orm
      .select()
      .from(comments)
      .where(and(eq(comments.id, commentId), eq(comments.threadId, threadId)))
      .limit(1);
    return row;
  }

  async updateComment(id: string, patch: Partial<typeof comments.$inferInsert>): Promise<void> {
    await this.orm.update(comments).set(patch).where(eq(comments.id, id));
  }

  /** Users who took part in a thread (commented), for reply notifications. */
  async participants(threadId: string, orm: Orm = this.orm): Promise<string[]> {
    const rows = await orm
      .selectDistinct({ id: comments.authorId })
      .from(comments)
      .where(and(eq(comments.threadId, threadId), isNull(comments.deletedAt)));
    return rows.flatMap((r) => (r.id ? [r.id] : []));
  }

  /** Members of a project with their emails and names, for @mentions. */
  async members(projectId: string) {
    return this.orm
      .select({ id: users.id, email: users.email, name: users.displayName })
      .from(projectMembers)
      .innerJoin(users, eq(users.id, projectMembers.userId))
      .where(eq(projectMembers.projectId, projectId));
  }

  async position(threadId: string, commit: string): Promise<PositionRow | undefined> {
    const [row] = await this.orm
      .select()
      .from(threadPositions)
      .where(and(eq(threadPositions.threadId, threadId), eq(threadPositions.commit, commit)))
      .limit(1);
    return row;
  }

  /** The most recently computed position of a thread (its base for the next commit). */
  async latestPosition(threadId: string): Promise<PositionRow | undefined> {
    const [row] = await this.orm
      .select()
      .from(threadPositions)
      .where(eq(threadPositions.threadId, threadId))
      .orderBy(desc(threadPositions.computedAt))
      .limit(1);
    return row;
  }

  /** The most recently computed position of each of these threads, in one query. */
  async latestPositions(threadIds: string[]): Promise<Map<string, PositionRow>> {
    if (threadIds.length === 0) return new Map();
    const rows = await this.orm
      .selectDistinctOn([threadPositions.threadId])
      .from(threadPositions)
      .where(inArray(threadPositions.threadId, threadIds))
      .orderBy(threadPositions.threadId, desc(threadPositions.computedAt));
    return new Map(rows.map((r) => [r.threadId, r]));
  }

  /** Stores many positions in one statement (a position already stored for a thread and commit is replaced). */
  async savePositions(orm: Orm, rows: (typeof threadPositions.$inferInsert)[]): Promise<void> {
    if (rows.length === 0) return;
    await orm
      .insert(threadPositions)
      .values(rows)
      .onConflictDoUpdate({
        target: [threadPositions.threadId, threadPositions.commit],
        set: {
          path: sql`excluded.path`,
          startLine: sql`excluded.start_line`,
          endLine: sql`excluded.end_line`,
          status: sql`excluded.status`,
          reason: sql`excluded.reason`,
          text: sql`excluded.text`,
        },
      });
  }

  async savePosition(orm: Orm, row: typeof threadPositions.$inferInsert): Promise<void> {
    await orm
      .insert(threadPositions)
      .values(row)
      .onConflictDoUpdate({
        target: [threadPositions.threadId, threadPositions.commit],
        set: {
          path: row.path,
          startLine: row.startLine,
          endLine: row.endLine,
          status: row.status,
          reason: row.reason,
          text: row.text,
        },
      });
  }

  // ---- tasks ----

  async insertTask(row: typeof tasks.$inferInsert): Promise<TaskRow> {
    const [inserted] = await this.orm.insert(tasks).values(row).returning();
    return inserted!;
  }

  async findTask(id: string): Promise<TaskRow | undefined> {
    const [row] = await this.orm.select().from(tasks).where(eq(tasks.id, id)).limit(1);
    return row;
  }

  async listTasks(projectId: string, filter: { status?: TaskRow['status']; assigneeId?: string }): Promise<TaskRow[]> {
    return this.orm
      .select()
      .from(tasks)
      .where(
        and(
          eq(tasks.projectId, projectId),
          filter.status ? eq(tasks.status, filter.status) : undefined,
          filter.assigneeId ? eq(tasks.assigneeId, filter.assigneeId) : undefined,
        ),
      )
      .orderBy(desc(tasks.createdAt));
  }

  async updateTask(id: string, patch: Partial<typeof tasks.$inferInsert>): Promise<TaskRow | undefined> {
    const [row] = await this.orm
      .update(tasks)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(tasks.id, id))
      .returning();
    return row;
  }

  async deleteTask(id: string): Promise<void> {
    await this.orm.delete(tasks).where(eq(tasks.id, id));
  }
}
