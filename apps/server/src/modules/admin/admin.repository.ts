import { and, eq, inArray, sql } from 'drizzle-orm';
import { canaries, projects, users } from '../../db/schema.js';
import type { Orm } from '../../infra/db.js';

export type CanaryRow = typeof canaries.$inferSelect;

/** Canary jobs and instance-wide user look-ups. */
export class AdminRepository {
  constructor(private readonly orm: Orm) {}

  async insertCanary(orm: Orm, row: typeof canaries.$inferInsert): Promise<CanaryRow> {
    const [inserted] = await orm.insert(canaries).values(row).returning();
    return inserted!;
  }

  async findCanary(id: string): Promise<CanaryRow | undefined> {
    const [row] = await this.orm.select().from(canaries).where(eq(canaries.id, id)).limit(1);
    return row;
  }

  /** Marks a canary running for this attempt; undefined when it is already finished (a duplicate delivery). */
  async startCanary(id: string, workerId: string): Promise<CanaryRow | undefined> {
    const [row] = await this.orm
      .update(canaries)
      .set({ status: 'running', workerId, startedAt: new Date(), attempts: sql`${canaries.attempts} + 1` })
      .where(and(eq(canaries.id, id), inArray(canaries.status, ['queued', 'running'])))
      .returning();
    return row;
  }

  async finishCanary(id: string, status: 'completed' | 'failed'): Promise<void> {
    await this.orm.update(canaries).set({ status, finishedAt: new Date() }).where(eq(canaries.id, id));
  }

  /** Marks a canary failed unless it already finished. */
  async failUnfinishedCanary(id: string): Promise<void> {
    await this.orm
      .update(canaries)
      .set({ status: 'failed', finishedAt: new Date() })
      .where(and(eq(canaries.id, id), inArray(canaries.status, ['queued', 'running'])));
  }

  async allUserIds(): Promise<string[]> {
    return (await this.orm.select({ id: users.id }).from(users)).map((r) => r.id);
  }

  async adminIds(): Promise<string[]> {
    return (await this.orm.select({ id: users.id }).from(users).where(eq(users.role, 'admin'))).map((r) => r.id);
  }

  /** Sets a project's plan; returns the project as it is now, or undefined when there is no such project. */
  async setProjectPlan(
    orm: Orm,
    projectId: string,
    plan: 'free' | 'pro',
  ): Promise<{ id: string; name: string; plan: 'free' | 'pro'; previous: 'free' | 'pro' } | undefined> {
    const [before] = await orm
      .select({ plan: projects.plan })
      .from(projects)
      .where(eq(projects.id, projectId))
      .for('update')
      .limit(1);
    if (!before) return undefined;
    const [row] = await orm
      .update(projects)
      .set({ plan, updatedAt: new Date() })
      .where(eq(projects.id, projectId))
      .returning({ id: projects.id, name: projects.name, plan: projects.plan });
    return row && { ...row, previous: before.plan };
  }
}
