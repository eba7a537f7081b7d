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
import type { Logger } from '../../infra/logger.js';
import { type BackoffLimiter, clientKey, type RateLimiter, type RateLimiterFactory } from '../../infra/rate-limit.js';
import type { AuthContext } from './auth.types.js';
import { AuthRepository, type UserRow } from './auth.repository.js';
import { passwordWeakness } from './password-strength.js';
import { type AccessTokens, hashRefreshToken, newRefreshToken } from './tokens.js';
import type { AuditService } from '../audit/audit.service.js';
import type { NotificationsService } from '../notifications/notifications.service.js';

/** argon2id with OWASP's first recommended parameter set: m=19 MiB, t=2, p=1. */
const ARGON2_OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
const INVALID_CREDENTIALS = 'The email or password is incorrect.';
// The longest delay a run of failed logins from one IP can earn.
const MAX_LOGIN_BACKOFF_SECONDS = 3600;
// How long an account that exists is believed to still exist before a token for it is checked again.
const USER_EXISTS_TTL_MS = 5000;
const USER_EXISTS_MAX = 50_000;

export interface AuthLimits {
  loginPerIpPerMinute: number;
  /** Failed logins per (account, client IP) before each further one earns a growing delay. */
  loginFailuresPerAccount: number;
  loginBackoffSeconds: number;
  /** Failed logins per account per hour from everywhere, past which it refuses logins until the hour is over. */
  loginFailuresPerAccountPerHour: number;
  registerPerIpPerHour: number;
  /** Registrations answered "taken" per client IP per day. */
  registerConflictsPerIpPerDay: number;
  refreshTokenTtlDays: number;
}

export interface AuthServiceDeps {
  db: Database;
  tokens: AccessTokens;
  limiter: RateLimiterFactory;
  limits: AuthLimits;
  audit: AuditService;
  notifications: NotificationsService;
  logger: Logger;
}

/**
 * Registration, login, token refresh with rotation and reuse detection, logout.
 *
 * Failed logins are limited per (account, client IP) with growing delays, so guessing from one place slows down
 * fast while the owner, logging in from anywhere else, is never locked out; a high per-account ceiling stops
 * guessing spread over many IPs, and tells the owner. Every limit applies alike to unknown emails, so no answer or
 * delay says whether an account exists.
 */
export class AuthService {
  private readonly repo: AuthRepository;
  private readonly loginByIp: RateLimiter;
  private readonly loginFailures: BackoffLimiter;
  private readonly loginFailuresByAccount: RateLimiter;
  private readonly registerByIp: RateLimiter;
  private readonly registerConflictsByIp: RateLimiter;
  // A real hash to verify against for unknown emails, so both failures cost the same time.
  private readonly dummyHash: Promise<string>;
  // User ids recently seen to exist, with when: a token outlives a deleted account by at most this cache's TTL.
  private readonly existing = new Map<string, number>();

  private readonly db: Database;
  readonly tokens: AccessTokens;
  private readonly limits: AuthLimits;
  private readonly audit: AuditService;
  private readonly notifications: NotificationsService;
  private readonly logger: Logger;

  constructor(deps: AuthServiceDeps) {
    const { db, tokens, limiter, limits, audit, notifications, logger } = deps;
    this.db = db;
    this.tokens = tokens;
    this.limits = limits;
    this.audit = audit;
    this.notifications = notifications;
    this.logger = logger;
    this.repo = new AuthRepository(db.orm);
    this.loginByIp = limiter('login-ip', limits.loginPerIpPerMinute, 60);
    this.loginFailures = limiter.backoff('login-account-ip', {
      free: limits.loginFailuresPerAccount,
      baseSeconds: limits.loginBackoffSeconds,
      maxSeconds: MAX_LOGIN_BACKOFF_SECONDS,
      windowSeconds: 24 * 3600,
    });
    this.loginFailuresByAccount = limiter('login-account', limits.loginFailuresPerAccountPerHour, 3600);
    this.registerByIp = limiter('register-ip', limits.registerPerIpPerHour, 3600);
    this.registerConflictsByIp = limiter('register-conflict-ip', limits.registerConflictsPerIpPerDay, 24 * 3600);
    this.dummyHash = hash(crypto.randomBytes(16).toString('hex'), ARGON2_OPTIONS);
  }

  /**
   * Creates an account. A taken email answers 409 (the API's contract), which tells the caller that the email has
   * an account: such answers are limited per IP per day and audited, so finding out who uses the server is slow
   * and visible to its admins.
   */
  async register(body: z.output<typeof RegisterBody>, ip: string): Promise<AuthSession> {
    const client = clientKey(ip);
    await this.registerByIp.consume(client);
    await this.registerConflictsByIp.check(client);
    const displayName = body.display_name ?? body.email.split('@')[0] ?? body.email;
    const weakness = await passwordWeakness(body.password, [body.email, displayName, 'hivesync']);
    if (weakness) {
      throw errors.validation(`password: ${weakness}`, { issues: [{ path: 'body.password', message: weakness }] });
    }
    const passwordHash = await hash(body.password, ARGON2_OPTIONS);
    const user = await this.db.transaction((tx) =>
      this.repo.insertUser(tx.orm, { id: crypto.randomUUID(), email: body.email, passwordHash, displayName }),
    );
    if (!user) {
      await this.registerConflictsByIp.spend(client);
      await this.audit.record({ action: 'auth.register_conflict', ip, details: { email: body.email } });
      throw errors.conflict('An account with this email already exists.');
    }
    await this.audit.record({ actorId: user.id, action: 'auth.register', target: { type: 'user', id: user.id }, ip });
    return this.session(user, false);
  }

  async login(body: z.output<typeof LoginBody>, ip: string): Promise<AuthSession> {
    const client = clientKey(ip);
    const pair = `${body.email} ${client}`;
    await this.loginByIp.consume(client);
    await this.loginFailures.check(pair);
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
      await this.loginFailures.fail(pair);
      if ((await this.loginFailuresByAccount.spend(body.email)) === 0) {
        // Not awaited: the answer must take the same time whether or not the email has an account.
        void this.accountThrottled(body.email, user, ip);
      }
      throw errors.unauthorized(INVALID_CREDENTIALS);
    }
    await this.loginFailures.reset(pair);
    await this.audit.record({ actorId: user.id, action: 'auth.login', target: { type: 'user', id: user.id }, ip });
    return this.session(user, body.remember === true);
  }

  /** The caller of an access token: verified, and for a user that still exists (else 401 unauthorized). */
  async verifyAccessToken(token: string): Promise<AuthContext> {
    const auth = await this.tokens.verify(token);
    const now = Date.now();
    const seen = this.existing.get(auth.userId);
    if (seen !== undefined && now - seen < USER_EXISTS_TTL_MS) return auth;
    if (!(await this.repo.findUserById(auth.userId))) {
      this.existing.delete(auth.userId);
      throw errors.unauthorized('This account no longer exists.');
    }
    if (this.existing.size >= USER_EXISTS_MAX) this.existing.clear();
    this.existing.set(auth.userId, now);
    return auth;
  }

  // The per-account ceiling just tripped: audit it, and tell the owner (if the email has one) by notification.
  private async accountThrottled(email: string, user: UserRow | undefined, ip: string): Promise<void> {
    const details = {
      failed_logins: this.limits.loginFailuresPerAccountPerHour,
      window_minutes: 60,
    };
    try {
      await this.audit.record({
        actorId: user?.id ?? null,
        action: 'auth.login_throttled',
        ...(user && { target: { type: 'user', id: user.id } }),
        ip,
        details: { ...details, email },
      });
      if (user) {
        await this.notifications.notify({
          userIds: [user.id],
          projectId: null,
          type: 'account_login_throttled',
          payload: details,
        });
      }
    } catch (err) {
      this.logger.error({ err }, 'could not report a throttled account');
    }
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

  /** The id of the account with this email, if there is one (for adding project members). */
  async userIdByEmail(email: string): Promise<string | undefined> {
    return (await this.repo.findUserByEmail(email))?.id;
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
