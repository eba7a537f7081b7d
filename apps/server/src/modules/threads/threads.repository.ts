import { and, asc, count, desc, eq, inArray, isNull } from 'drizzle-orm';
import { comments, projectMembers, tasks, threadPositions, threads, users } from '../../db/schema.js';
import type { Orm } from '../../infra/db.js';

export type ThreadRow = typeof threads.$inferSelect;
export type CommentRow = typeof comments.$inferSelect & { authorName: string };
export type PositionRow = typeof threadPositions.$inferSelect;
export type TaskRow = typeof tasks.$inferSelect;

/** Threads, their comments and per-commit positions, and tasks. */
export class ThreadsRepository {
  constructor(private readonly orm: Orm) {}

  async insertThread(orm: Orm, row: typeof threads.$inferInsert): Promise<ThreadRow> {
    const [inserted] = await orm.insert(threads).values(row).returning();
    return inserted!;
  }

  async findThread(id: string): Promise<ThreadRow | undefined> {
    const [row] = await this.orm.select().from(threads).where(eq(threads.id, id)).limit(1);
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
  async participants(threadId: string): Promise<string[]> {
    const rows = await this.orm
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
