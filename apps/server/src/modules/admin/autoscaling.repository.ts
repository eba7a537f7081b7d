import { and, asc, desc, eq, lt } from 'drizzle-orm';
import { autoscalingDecisions, autoscalingRules, poolScaling } from '../../db/schema.js';
import type { Orm } from '../../infra/db.js';

export type RuleRow = typeof autoscalingRules.$inferSelect;
export type PoolScalingRow = typeof poolScaling.$inferSelect;
export type DecisionRow = typeof autoscalingDecisions.$inferSelect;

/** Scaling rules, each pool's scaling state, and the decision log. */
export class AutoscalingRepository {
  constructor(private readonly orm: Orm) {}

  rules(): Promise<RuleRow[]> {
    return this.orm.select().from(autoscalingRules).orderBy(asc(autoscalingRules.pool));
  }

  /** Replaces every rule with `rows` (in the caller's transaction). */
  async replaceRules(orm: Orm, rows: (typeof autoscalingRules.$inferInsert)[]): Promise<void> {
    await orm.delete(autoscalingRules);
    if (rows.length > 0) await orm.insert(autoscalingRules).values(rows);
  }

  pools(): Promise<PoolScalingRow[]> {
    return this.orm.select().from(poolScaling).orderBy(asc(poolScaling.pool));
  }

  async pool(pool: string): Promise<PoolScalingRow | undefined> {
    const [row] = await this.orm.select().from(poolScaling).where(eq(poolScaling.pool, pool)).limit(1);
    return row;
  }

  /** Creates or updates a pool's state with the given columns. */
  async savePool(orm: Orm, pool: string, set: Partial<Omit<PoolScalingRow, 'pool'>>): Promise<void> {
    const values = { ...set, updatedAt: new Date() };
    await orm
      .insert(poolScaling)
      .values({ pool, ...values })
      .onConflictDoUpdate({ target: poolScaling.pool, set: values });
  }

  async insertDecision(orm: Orm, row: typeof autoscalingDecisions.$inferInsert): Promise<DecisionRow> {
    const [inserted] = await orm.insert(autoscalingDecisions).values(row).returning();
    return inserted!;
  }

  async markDecision(id: number, applied: boolean, error: string | null): Promise<void> {
    await this.orm.update(autoscalingDecisions).set({ applied, error }).where(eq(autoscalingDecisions.id, id));
  }

  /** Decisions newest first, before the cursor (an id). */
  decisions(pool: string | undefined, limit: number, beforeId?: number): Promise<DecisionRow[]> {
    return this.orm
      .select()
      .from(autoscalingDecisions)
      .where(
        and(
          pool ? eq(autoscalingDecisions.pool, pool) : undefined,
          beforeId !== undefined ? lt(autoscalingDecisions.id, beforeId) : undefined,
        ),
      )
      .orderBy(desc(autoscalingDecisions.id))
      .limit(limit);
  }
}
