import crypto from 'node:crypto';
import { hash, verify, Algorithm } from '@node-rs/argon2';
import {
  errors,
  type AuthSession,
  type LoginBody,
  type RefreshBody,
  type RegisterBody,
  type User,
} from '@hivesync/core';
import type { z } from 'zod';
import type { Database } from '../../infra/db.js';
import type { RateLimiter, RateLimiterFactory } from '../../infra/rate-limit.js';
import type { AuthContext } from './auth.types.js';
import { AuthRepository, type UserRow } from './auth.repository.js';
import { type AccessTokens, hashRefreshToken, newRefreshToken } from './tokens.js';
import type { AuditService } from '../audit/audit.service.js';

/** argon2id with OWASP's first recommended parameter set: m=19 MiB, t=2, p=1. */
const ARGON2_OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
const INVALID_CREDENTIALS = 'The email or password is incorrect.';

export interface AuthLimits {
  loginPerIpPerMinute: number;
  loginFailuresPerAccount: number;
  registerPerIpPerHour: number;
  refreshTokenTtlDays: number;
}

/** Registration, login, token refresh with rotation and reuse detection, logout. */
export class AuthService {
  private readonly repo: AuthRepository;
  private readonly loginByIp: RateLimiter;
  private readonly loginFailuresByAccount: RateLimiter;
  private readonly registerByIp: RateLimiter;
  // A real hash to verify against for unknown emails, so both failures cost the same time.
  private readonly dummyHash: Promise<string>;

  constructor(
    private readonly db: Database,
    readonly tokens: AccessTokens,
    limiter: RateLimiterFactory,
    private readonly limits: AuthLimits,
    private readonly audit: AuditService,
  ) {
    this.repo = new AuthRepository(db.orm);
    this.loginByIp = limiter('login-ip', limits.loginPerIpPerMinute, 60);
    this.loginFailuresByAccount = limiter('login-account', limits.loginFailuresPerAccount, 15 * 60);
    this.registerByIp = limiter('register-ip', limits.registerPerIpPerHour, 3600);
    this.dummyHash = hash(crypto.randomBytes(16).toString('hex'), ARGON2_OPTIONS);
  }

  async register(body: z.output<typeof RegisterBody>, ip: string): Promise<AuthSession> {
    await this.registerByIp.consume(ip);
    const passwordHash = await hash(body.password, ARGON2_OPTIONS);
    const user = await this.db.transaction((tx) =>
      this.repo.insertUser(tx.orm, {
        id: crypto.randomUUID(),
        email: body.email,
        passwordHash,
        displayName: body.display_name ?? body.email.split('@')[0] ?? body.email,
      }),
    );
    if (!user) throw errors.conflict('An account with this email already exists.');
    await this.audit.record({ actorId: user.id, action: 'auth.register', target: { type: 'user', id: user.id }, ip });
    return this.session(user, false);
  }

  async login(body: z.output<typeof LoginBody>, ip: string): Promise<AuthSession> {
    await this.loginByIp.consume(ip);
    await this.loginFailuresByAccount.check(body.email);
    const user = await this.repo.findUserByEmail(body.email);
    const ok = await verify(user?.passwordHash ?? (await this.dummyHash), body.password);
    if (!user || !ok) {
      await this.audit.record({
        actorId: user?.id ?? null,
        action: 'auth.login_failed',
        ip,
        details: { email: body.email },
      });
      await this.loginFailuresByAccount.consume(body.email);
      throw errors.unauthorized(INVALID_CREDENTIALS);
    }
    await this.loginFailuresByAccount.reset(body.email);
    await this.audit.record({ actorId: user.id, action: 'auth.login', target: { type: 'user', id: user.id }, ip });
    return this.session(user, body.remember === true);
  }

  /** Exchanges a refresh token for a new pair; a token used twice revokes its whole family. */
  async refresh(body: RefreshBody): Promise<AuthSession> {
    const invalid = () => errors.unauthorized('The refresh token is not valid; log in again.');
    const row = await this.repo.findRefreshToken(hashRefreshToken(body.refresh_token));
    if (!row || row.revokedAt) throw invalid();
    if (row.rotatedAt) {
      // A token that was already exchanged is being replayed: someone else may hold it. End the whole session.
      await this.repo.revokeFamily(row.familyId);
      throw invalid();
    }
    if (row.expiresAt.getTime() <= Date.now()) throw invalid();
    const user = await this.repo.findUserById(row.userId);
    if (!user) throw invalid();
    const next = newRefreshToken();
    const rotated = await this.db.transaction(async (tx) => {
      if (!(await this.repo.markRotated(tx.orm, row.id))) return false;
      await this.repo.insertRefreshToken(tx.orm, {
        id: crypto.randomUUID(),
        userId: user.id,
        familyId: row.familyId,
        tokenHash: next.hash,
        expiresAt: row.expiresAt,
      });
      return true;
    });
    if (!rotated) {
      // Lost a race with another use of the same token: that is a replay too.
      await this.repo.revokeFamily(row.familyId);
      throw invalid();
    }
    return { ...(await this.accessFor(user)), refresh_token: next.token };
  }

  async logout(auth: AuthContext, refreshToken: string | undefined): Promise<void> {
    if (!refreshToken) return;
    const row = await this.repo.findRefreshToken(hashRefreshToken(refreshToken));
    if (row && row.userId === auth.userId) await this.repo.revokeFamily(row.familyId);
  }

  async me(auth: AuthContext): Promise<User> {
    const user = await this.repo.findUserById(auth.userId);
    if (!user) throw errors.unauthorized('This account no longer exists.');
    return toUser(user);
  }

  private async session(user: UserRow, remember: boolean): Promise<AuthSession> {
    const session = await this.accessFor(user);
    if (!remember) return session;
    const refresh = newRefreshToken();
    await this.repo.insertRefreshToken(this.db.orm, {
      id: crypto.randomUUID(),
      userId: user.id,
      familyId: crypto.randomUUID(),
      tokenHash: refresh.hash,
      expiresAt: new Date(Date.now() + this.limits.refreshTokenTtlDays * 86_400_000),
    });
    return { ...session, refresh_token: refresh.token };
  }

  private async accessFor(user: UserRow): Promise<AuthSession> {
    return {
      user: toUser(user),
      access_token: await this.tokens.issue(user.id, user.role),
      token_type: 'Bearer',
      expires_in: this.tokens.ttlSeconds,
    };
  }
}

/** The API's view of a user row. */
export function toUser(row: UserRow): User {
  return { id: row.id, email: row.email, display_name: row.displayName, role: row.role };
}
