import { and, desc, eq, inArray, lte, ne, sql } from 'drizzle-orm';
import { previews } from '../../db/schema.js';
import type { Orm } from '../../infra/db.js';

export type PreviewRow = typeof previews.$inferSelect;

/** Preview sessions. */
export class PreviewsRepository {
  constructor(private readonly orm: Orm) {}

  /** Inserts a preview; undefined when its code collides with a live one (the caller draws another). */
  async insert(row: typeof previews.$inferInsert): Promise<PreviewRow | undefined> {
    const rows = await this.orm.insert(previews).values(row).onConflictDoNothing().returning();
    return rows[0];
  }

  async find(id: string): Promise<PreviewRow | undefined> {
    const [row] = await this.orm.select().from(previews).where(eq(previews.id, id)).limit(1);
    return row;
  }

  /** The most recent preview that had this code. */
  async findByCode(code: string): Promise<PreviewRow | undefined> {
    const [row] = await this.orm
      .select()
      .from(previews)
      .where(eq(previews.code, code))
      .orderBy(desc(previews.createdAt))
      .limit(1);
    return row;
  }

  /**
   * A project's previews, newest first (ties by id), after `after` (the last row of the previous page) when given.
   * Times compare to the millisecond, the precision a cursor carries (PostgreSQL keeps microseconds).
   */
  async listForProject(
    projectId: string,
    limit: number,
    after?: { createdAt: Date; id: string },
  ): Promise<PreviewRow[]> {
    const created = sql`date_trunc('milliseconds', ${previews.createdAt})`;
    return this.orm
      .select()
      .from(previews)
      .where(
        and(
          eq(previews.projectId, projectId),
          after === undefined
            ? undefined
            : sql`(${created}, ${previews.id}) < (${after.createdAt.toISOString()}::timestamptz, ${after.id})`,
        ),
      )
      .orderBy(desc(created), desc(previews.id))
      .limit(limit);
  }

  /**
   * Single use, decided by the database: marks the preview consumed only if it is ready and not expired, in one
   * conditional UPDATE. Two concurrent resolutions cannot both succeed. With `platform`, a preview made for another
   * platform is left untouched.
   */
  async consume(
    by: { id: string } | { code: string },
    platform?: PreviewRow['platform'],
  ): Promise<PreviewRow | undefined> {
    const [row] = await this.orm
      .update(previews)
      .set({ status: 'consumed', consumedAt: new Date() })
      .where(
        and(
          'id' in by ? eq(previews.id, by.id) : eq(previews.code, by.code),
          eq(previews.status, 'ready'),
          platform === undefined ? undefined : eq(previews.platform, platform),
          sql`${previews.expiresAt} > now()`,
        ),
      )
      .returning();
    return row;
  }

  /** Marks a pending preview ready with its bundle; undefined when it was not pending any more. */
  async markReady(
    id: string,
    bundle: { bundleKey: string; sha256: string; size: number },
  ): Promise<PreviewRow | undefined> {
    const [row] = await this.orm
      .update(previews)
      .set({ status: 'ready', ...bundle, readyAt: new Date() })
      .where(and(eq(previews.id, id), eq(previews.status, 'pending_upload')))
      .returning();
    return row;
  }

  async markFailed(id: string, error: { code: string; message: string }): Promise<PreviewRow | undefined> {
    const [row] = await this.orm
      .update(previews)
      .set({ status: 'failed', errorCode: error.code, errorMessage: error.message })
      .where(and(eq(previews.id, id), eq(previews.status, 'pending_upload')))
      .returning();
    return row;
  }

  /** Expires every preview past its lifetime; returns them. */
  async expireDue(): Promise<PreviewRow[]> {
    return this.orm
      .update(previews)
      .set({ status: 'expired', expiredAt: new Date() })
      .where(
        and(
          inArray(previews.status, ['pending_upload', 'ready', 'consumed', 'failed']),
          lte(previews.expiresAt, new Date()),
        ),
      )
      .returning();
  }

  /** Expired previews whose grace period is over. */
  async dueForDeletion(before: Date, limit: number): Promise<PreviewRow[]> {
    return this.orm
      .select()
      .from(previews)
      .where(and(eq(previews.status, 'expired'), lte(previews.expiredAt, before)))
      .limit(limit);
  }

  /** Whether any other preview that is not deleted still uses a bundle. */
  async bundleInUse(bundleKey: string, exceptId: string): Promise<boolean> {
    const [row] = await this.orm
      .select({ id: previews.id })
      .from(previews)
      .where(and(eq(previews.bundleKey, bundleKey), ne(previews.id, exceptId), ne(previews.status, 'deleted')))
      .limit(1);
    return row !== undefined;
  }

  async markDeleted(id: string): Promise<void> {
    await this.orm.update(previews).set({ status: 'deleted', deletedAt: new Date() }).where(eq(previews.id, id));
  }
}
