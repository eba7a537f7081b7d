import { and, eq, isNull, sql } from 'drizzle-orm';
import { refreshTokens, users } from '../../db/schema.js';
import type { Orm } from '../../infra/db.js';

export type UserRow = typeof users.$inferSelect;
export type RefreshTokenRow = typeof refreshTokens.$inferSelect;

// Serializes first-user detection, so two concurrent first registrations cannot both become admin.
const FIRST_USER_LOCK = 7_244_193_002;

/** Users and refresh tokens. */
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

  async revokeFamily(familyId: string): Promise<void> {
    await this.orm
      .update(refreshTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
  }
}
