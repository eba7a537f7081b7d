import { sql } from 'drizzle-orm';
import { rateLimitRefusals } from '../../db/schema.js';
import type { Orm } from '../../infra/db.js';

/** Counts of refused requests, one row per minute, limit, route, user and IP. */
export class LimitsRepository {
  constructor(private readonly orm: Orm) {}

  /** Adds one refusal to its minute's row. */
  async countRefusal(r: { at: Date; limitName: string; route: string; userId: string; ip: string }): Promise<void> {
    const minute = new Date(Math.floor(r.at.getTime() / 60_000) * 60_000);
    await this.orm
      .insert(rateLimitRefusals)
      .values({ minute, limitName: r.limitName, route: r.route, userId: r.userId, ip: r.ip, count: 1 })
      .onConflictDoUpdate({
        target: [
          rateLimitRefusals.minute,
          rateLimitRefusals.limitName,
          rateLimitRefusals.route,
          rateLimitRefusals.userId,
          rateLimitRefusals.ip,
        ],
        set: { count: sql`${rateLimitRefusals.count} + 1` },
      });
  }

  /** Refusals since `since`, newest minute first (what an admin view reads). */
  async refusalsSince(since: Date) {
    return this.orm
      .select()
      .from(rateLimitRefusals)
      .where(sql`${rateLimitRefusals.minute} >= ${since}`)
      .orderBy(sql`${rateLimitRefusals.minute} desc`);
  }
}
