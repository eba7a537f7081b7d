import { and, asc, desc, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import { projectMembers, projects, sessions, users } from '../../db/schema.js';
import type { Orm } from '../../infra/db.js';

// Serializes changes to admins (role, disabled, delete), so two admins cannot demote each other at once.
const ADMIN_CHANGE_LOCK = 7_244_193_010;

/** A user with what the admin list shows beside the row itself. */
export type AdminUserRow = typeof users.$inferSelect & { lastLoginAt: Date | null; projectCount: number };

/** Instance-wide reads and changes of user accounts, for instance admins. */
export class AdminUsersRepository {
  constructor(private readonly orm: Orm) {}

  private selection() {
    return {
      id: users.id,
      email: users.email,
      passwordHash: users.passwordHash,
      displayName: users.displayName,
      role: users.role,
      createdAt: users.createdAt,
      disabledAt: users.disabledAt,
      // Raw names on purpose: drizzle leaves columns unqualified in a one-table select, which a subquery misreads.
      lastLoginAt: sql<Date | null>`(select max(s.created_at) from sessions s where s.user_id = "users"."id")`.mapWith(
        (v: unknown) => (v === null ? null : new Date(v as string)),
      ),
      projectCount: sql<number>`(select count(*) from project_members m where m.user_id = "users"."id")`.mapWith(
        Number,
      ),
    };
  }

  /** Users ordered by email after `afterEmail`, filtered by a substring of email or name, role and disabled. */
  async list(
    filter: { q?: string | undefined; role?: 'user' | 'admin' | undefined; disabled?: boolean | undefined },
    limit: number,
    afterEmail?: string,
  ): Promise<AdminUserRow[]> {
    const pattern = filter.q ? `%${escapeLike(filter.q.toLowerCase())}%` : undefined;
    return this.orm
      .select(this.selection())
      .from(users)
      .where(
        and(
          pattern
            ? sql`(lower(${users.email}) like ${pattern} escape '\\' or lower(${users.displayName}) like ${pattern} escape '\\')`
            : undefined,
          filter.role ? eq(users.role, filter.role) : undefined,
          filter.disabled === undefined
            ? undefined
            : filter.disabled
              ? sql`${users.disabledAt} is not null`
              : isNull(users.disabledAt),
          afterEmail !== undefined ? gt(users.email, afterEmail) : undefined,
        ),
      )
      .orderBy(asc(users.email))
      .limit(limit);
  }

  async find(id: string, orm: Orm = this.orm): Promise<AdminUserRow | undefined> {
    const [row] = await orm.select(this.selection()).from(users).where(eq(users.id, id)).limit(1);
    return row;
  }

  /** The user's projects and their role in each, by name. */
  async projectsOf(userId: string) {
    return this.orm
      .select({ projectId: projects.id, name: projects.name, role: projectMembers.role })
      .from(projectMembers)
      .innerJoin(projects, eq(projects.id, projectMembers.projectId))
      .where(eq(projectMembers.userId, userId))
      .orderBy(asc(projects.name), asc(projects.id));
  }

  /** Open sessions (unrevoked, unexpired), newest first; at most 100. */
  async liveSessions(userId: string) {
    return this.orm
      .select()
      .from(sessions)
      .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, sql`now()`)))
      .orderBy(desc(sessions.createdAt))
      .limit(100);
  }

  /** Takes the lock that orders changes to admins; call inside the transaction that makes one. */
  async lockAdminChanges(orm: Orm): Promise<void> {
    await orm.execute(sql`select pg_advisory_xact_lock(${ADMIN_CHANGE_LOCK})`);
  }

  /** Enabled admins other than `exceptId`. */
  async otherEnabledAdmins(orm: Orm, exceptId: string): Promise<number> {
    const [row] = await orm
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(users)
      .where(and(eq(users.role, 'admin'), isNull(users.disabledAt), ne(users.id, exceptId)));
    return row?.n ?? 0;
  }

  async update(orm: Orm, id: string, set: { role?: 'user' | 'admin'; disabledAt?: Date | null }): Promise<void> {
    await orm.update(users).set(set).where(eq(users.id, id));
  }

  /** Projects the user owns, by name (at most 20, for the error's details). */
  async ownedProjects(orm: Orm, userId: string) {
    return orm
      .select({ id: projects.id, name: projects.name })
      .from(projectMembers)
      .innerJoin(projects, eq(projects.id, projectMembers.projectId))
      .where(and(eq(projectMembers.userId, userId), eq(projectMembers.role, 'owner')))
      .orderBy(asc(projects.name))
      .limit(20);
  }

  async delete(orm: Orm, id: string): Promise<void> {
    await orm.delete(users).where(eq(users.id, id));
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
