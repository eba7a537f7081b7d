import { and, eq, isNull, notInArray } from 'drizzle-orm';
import { systemIncidents } from '../../db/schema.js';
import type { Orm } from '../../infra/db.js';

export type IncidentRow = typeof systemIncidents.$inferSelect;

/** Open and closed incidents of the system watch. */
export class SystemWatchRepository {
  constructor(private readonly orm: Orm) {}

  /** Opens an incident; undefined when one of that kind and subject is open already (another worker saw it first). */
  async open(
    orm: Orm,
    row: { id: string; kind: string; subject: string; details: Record<string, unknown> },
  ): Promise<IncidentRow | undefined> {
    const [inserted] = await orm.insert(systemIncidents).values(row).onConflictDoNothing().returning();
    return inserted;
  }

  /** Closes the open incidents of `kind` except those about `stillOpen`; returns what it closed. */
  async closeExcept(kind: string, stillOpen: string[]): Promise<IncidentRow[]> {
    return this.orm
      .update(systemIncidents)
      .set({ closedAt: new Date() })
      .where(
        and(
          eq(systemIncidents.kind, kind),
          isNull(systemIncidents.closedAt),
          ...(stillOpen.length > 0 ? [notInArray(systemIncidents.subject, stillOpen)] : []),
        ),
      )
      .returning();
  }

  async openIncidents(): Promise<IncidentRow[]> {
    return this.orm.select().from(systemIncidents).where(isNull(systemIncidents.closedAt));
  }
}
