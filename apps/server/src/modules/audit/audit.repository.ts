import { and, desc, eq, gte, lt, lte, or, sql } from 'drizzle-orm';
import type { AuditQuery } from '@hivesync/core';
import { auditLog, users } from '../../db/schema.js';
import type { Orm } from '../../infra/db.js';

export type AuditRow = typeof auditLog.$inferSelect;

/** The audit log's rows: appended, searched, never changed (a trigger refuses updates and deletes). */
export class AuditRepository {
  constructor(private readonly orm: Orm) {}

  /** Appends one row; the actor's email is copied in, so the entry still reads after the account is gone. */
  async insert(
    orm: Orm,
    row: Omit<typeof auditLog.$inferInsert, 'id' | 'at' | 'actorEmail'> & { actorId: string | null },
  ): Promise<void> {
    await orm.insert(auditLog).values({
      ...row,
      actorEmail: row.actorId ? sql`(select ${users.email} from ${users} where ${users.id} = ${row.actorId})` : null,
    });
  }

  /** Up to `limit` rows matching the query, newest first, after the cursor (a row id). */
  async search(query: AuditQuery, limit: number): Promise<AuditRow[]> {
    return this.orm
      .select()
      .from(auditLog)
      .where(
        and(
          query.actor
            ? or(eq(auditLog.actorId, query.actor), eq(auditLog.actorEmail, query.actor.toLowerCase()))
            : undefined,
          query.action
            ? query.action.endsWith('.*')
              ? sql`${auditLog.action} like ${`${escapeLike(query.action.slice(0, -1))}%`} escape '\\'`
              : eq(auditLog.action, query.action)
            : undefined,
          query.project_id ? eq(auditLog.projectId, query.project_id) : undefined,
          query.from ? gte(auditLog.at, new Date(query.from)) : undefined,
          query.to ? lte(auditLog.at, new Date(query.to)) : undefined,
          query.cursor ? lt(auditLog.id, Number(query.cursor)) : undefined,
          query.q ? textMatch(query.q) : undefined,
        ),
      )
      .orderBy(desc(auditLog.id))
      .limit(limit);
  }
}

/**
 * Case-insensitive text anywhere in an entry: its action, actor email, target, ip or details (a substring match, so
 * ids and emails are found whole or in part).
 */
function textMatch(q: string) {
  const pattern = `%${escapeLike(q.toLowerCase())}%`;
  return sql`lower(concat_ws(' ', ${auditLog.action}, ${auditLog.actorEmail}, ${auditLog.targetType}, ${auditLog.targetId}, ${auditLog.ip}, ${auditLog.details}::text)) like ${pattern} escape '\\'`;
}

/** `repo.*` means actions starting with "repo.": a `_` or `%` in the prefix is itself, not a wildcard. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
