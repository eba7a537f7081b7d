import { and, desc, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import { refreshTokens, sessions, users } from '../../db/schema.js';
import type { Orm } from '../../infra/db.js';
import type { PageKey } from '../../http/page-cursor.js';

export type UserRow = typeof users.$inferSelect;
export type RefreshTokenRow = typeof refreshTokens.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;

// Serializes first-user detection, so two concurrent first registrations cannot both become admin.
const FIRST_USER_LOCK = 7_244_193_002;

/** Users, sessions and refresh tokens. */
export class AuthRepository {
  constructor(private readonly orm: Orm) {}

  async findUserByEmail(email: string, orm: Orm = this.orm): Promise<UserRow | undefined> {
    const [row] = await orm.select().from(users).where(eq(users.email, email)).limit(1);
    return row;
  }

  async findUserById(id: string): Promise<UserRow | undefined> {
    const [row] = await this.orm.select().from(users).where(eq(users.id, id)).limit(1);
    return row;
  }

  /** Inserts a user, making it an admin when it is the instance's first; returns undefined when the email is taken. */
  async insertUser(
    orm: Orm,
    user: { id: string; email: string; passwordHash: string; displayName: string },
  ): Promise<UserRow | undefined> {
    await orm.execute(sql`select pg_advisory_xact_lock(${FIRST_USER_LOCK})`);
    const [{ n } = { n: 0 }] = await orm.select({ n: sql<number>`count(*)::int` }).from(users);
    const rows = await orm
      .insert(users)
      .values({ ...user, role: Number(n) === 0 ? 'admin' : 'user' })
      .onConflictDoNothing({ target: users.email })
      .returning();
    return rows[0];
  }

  async insertRefreshToken(orm: Orm, row: typeof refreshTokens.$inferInsert): Promise<void> {
    await orm.insert(refreshTokens).values(row);
  }

  async findRefreshToken(tokenHash: string): Promise<RefreshTokenRow | undefined> {
    const [row] = await this.orm.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash)).limit(1);
    return row;
  }

  /** Marks a token used; false when it was already used (a replay) or revoked, decided atomically. */
  async markRotated(orm: Orm, id: string): Promise<boolean> {
    const rows = await orm
      .update(refreshTokens)
      .set({ rotatedAt: new Date() })
      .where(and(eq(refreshTokens.id, id), isNull(refreshTokens.rotatedAt), isNull(refreshTokens.revokedAt)))
      .returning({ id: refreshTokens.id });
    return rows.length === 1;
  }

  /** Revokes a refresh-token family and its session. */
  async revokeFamily(familyId: string): Promise<void> {
    const now = new Date();
    await this.orm
      .update(refreshTokens)
      .set({ revokedAt: now })
      .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
    await this.orm
      .update(sessions)
      .set({ revokedAt: now })
      .where(and(eq(sessions.id, familyId), isNull(sessions.revokedAt)));
  }

  async insertSession(orm: Orm, row: typeof sessions.$inferInsert): Promise<void> {
    await orm.insert(sessions).values(row);
  }

  async findSession(id: string): Promise<SessionRow | undefined> {
    const [row] = await this.orm.select().from(sessions).where(eq(sessions.id, id)).limit(1);
    return row;
  }

  /** Records a use of the session, at most once a minute (a write per call would cost every call). */
  async touchSession(id: string, orm: Orm = this.orm): Promise<void> {
    await orm
      .update(sessions)
      .set({ lastUsedAt: new Date() })
      .where(and(eq(sessions.id, id), lt(sessions.lastUsedAt, sql`now() - interval '1 minute'`)));
  }

  /**
   * The user's sessions that are neither revoked nor expired, newest login first (ties by id), after `after` (the
   * last row of the previous page) when given; times compared to the millisecond, as cursors carry them.
   */
  async listActiveSessions(userId: string, limit: number, after?: PageKey): Promise<SessionRow[]> {
    const created = sql`date_trunc('milliseconds', ${sessions.createdAt})`;
    return this.orm
      .select()
      .from(sessions)
      .where(
        and(
          eq(sessions.userId, userId),
          isNull(sessions.revokedAt),
          gt(sessions.expiresAt, sql`now()`),
          after && sql`(${created}, ${sessions.id}) < (${after.at.toISOString()}::timestamptz, ${after.id})`,
        ),
      )
      .orderBy(desc(created), desc(sessions.id))
      .limit(limit);
  }

  /**
   * Revokes the user's sessions (one, or all when `sessionId` is undefined) and their refresh tokens, in one
   * transaction; returns the ids of the sessions that were open.
   */
  async revokeSessions(orm: Orm, userId: string, sessionId?: string): Promise<string[]> {
    const now = new Date();
    const revoked = await orm
      .update(sessions)
      .set({ revokedAt: now })
      .where(
        and(
          eq(sessions.userId, userId),
          isNull(sessions.revokedAt),
          sessionId ? eq(sessions.id, sessionId) : undefined,
        ),
      )
      .returning({ id: sessions.id });
    await orm
      .update(refreshTokens)
      .set({ revokedAt: now })
      .where(
        and(
          eq(refreshTokens.userId, userId),
          isNull(refreshTokens.revokedAt),
          sessionId ? eq(refreshTokens.familyId, sessionId) : undefined,
        ),
      );
    return revoked.map((r) => r.id);
  }
}
