import crypto from 'node:crypto';
import { hash, verify, Algorithm } from '@node-rs/argon2';
import {
  errors,
  type AuthSession,
  type LoginBody,
  type RefreshBody,
  type RegisterBody,
  SESSION_PAGE_DEFAULT,
  type ListSessionsQuery,
  type SessionInfo,
  type SessionList,
  type User,
} from '@hivesync/core';
import type { z } from 'zod';
import type { Database } from '../../infra/db.js';
import type { EventBus } from '../../infra/event-bus.js';
import { pageCursor } from '../../http/page-cursor.js';
import type { Logger } from '../../infra/logger.js';
import { type BackoffLimiter, clientKey, type RateLimiter, type RateLimiterFactory } from '../../infra/rate-limit.js';
import type { AuthContext } from './auth.types.js';
import { AuthRepository, type SessionRow, type UserRow } from './auth.repository.js';
import { passwordWeakness } from './password-strength.js';
import { type AccessTokens, hashRefreshToken, newRefreshToken } from './tokens.js';
import type { AuditService } from '../audit/audit.service.js';
import type { NotificationsService } from '../notifications/notifications.service.js';

/** argon2id with OWASP's first recommended parameter set: m=19 MiB, t=2, p=1. */
const ARGON2_OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
const INVALID_CREDENTIALS = 'The email or password is incorrect.';
// The longest delay a run of failed logins from one IP can earn.
const MAX_LOGIN_BACKOFF_SECONDS = 3600;
// How long a session seen open is believed open without asking the database again. Revocations reach every API
// instance at once over the event bus; this bounds how late one can be when the bus (Redis) is down.
const SESSION_OPEN_TTL_MS = 5000;
const SESSION_CACHE_MAX = 50_000;
const SESSION_ENDED = 'This session has ended (logged out or revoked); log in again.';
/** Bus message kind: sessions were revoked; body `{ session_ids: string[] }`. */
export const BUS_SESSIONS_REVOKED = 'auth.sessions_revoked';
/** Bus message kind: a user was disabled, enabled or changed role; body `{ user_id: string }`. */
export const BUS_USER_CHANGED = 'auth.user_changed';
// How long a user's disabled flag and role, read once, are believed (a change is heard at once over the bus).
const USER_STATE_TTL_MS = 5000;
const ACCOUNT_DISABLED = 'This account is disabled; ask an administrator.';

/** What the server learns about the client at login: its name (X-HiveSync-Client) and User-Agent. */
export interface ClientInfo {
  client?: string | undefined;
  userAgent?: string | undefined;
}

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
  /** Carries session revocations to every process. */
  bus: EventBus;
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
  // Session ids recently seen open, with when (a deleted account's sessions are deleted with it).
  private readonly openSessions = new Map<string, number>();
  // Session ids known revoked, with when: kept for an access token's lifetime, after which none of theirs is valid.
  private readonly revokedSessions = new Map<string, number>();
  // Each recent caller's disabled flag and current role, with when they were read.
  private readonly userStates = new Map<string, { at: number; disabled: boolean; role: 'user' | 'admin' }>();

  private readonly db: Database;
  readonly tokens: AccessTokens;
  private readonly limits: AuthLimits;
  private readonly audit: AuditService;
  private readonly notifications: NotificationsService;
  private readonly logger: Logger;
  private readonly bus: EventBus;

  constructor(deps: AuthServiceDeps) {
    const { db, tokens, limiter, limits, audit, notifications, bus, logger } = deps;
    this.db = db;
    this.tokens = tokens;
    this.limits = limits;
    this.audit = audit;
    this.notifications = notifications;
    this.logger = logger;
    this.bus = bus;
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
    bus.subscribe((m) => {
      if (m.kind !== BUS_SESSIONS_REVOKED || !Array.isArray(m.body.session_ids)) return;
      this.forgetSessions(m.body.session_ids.map(String));
    });
    bus.subscribe((m) => {
      if (m.kind === BUS_USER_CHANGED) this.userStates.delete(String(m.body.user_id));
    });
  }

  /**
   * Creates an account. A taken email answers 409 (the API's contract), which tells the caller that the email has
   * an account: such answers are limited per IP per day and audited, so finding out who uses the server is slow
   * and visible to its admins.
   */
  async register(body: z.output<typeof RegisterBody>, ip: string, info: ClientInfo = {}): Promise<AuthSession> {
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
    const session = await this.session(user, false, info);
    await this.audit.record({
      actorId: user.id,
      action: 'auth.register',
      target: { type: 'user', id: user.id },
      ip,
      details: { session_id: session.sessionId },
    });
    return session.answer;
  }

  async login(body: z.output<typeof LoginBody>, ip: string, info: ClientInfo = {}): Promise<AuthSession> {
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
    // Only someone who knows the password learns that the account is disabled.
    if (user.disabledAt) throw errors.forbidden(ACCOUNT_DISABLED);
    const session = await this.session(user, body.remember === true, info);
    await this.audit.record({
      actorId: user.id,
      action: 'auth.login',
      target: { type: 'user', id: user.id },
      ip,
      details: { session_id: session.sessionId, client: session.client },
    });
    return session.answer;
  }

  /**
   * The caller of an access token: verified, and of a session that is still open (else 401 unauthorized). An open
   * session is remembered for a few seconds, so most calls cost no query; a revocation is heard at once from the
   * event bus, and one that was missed (Redis down) counts after those few seconds.
   */
  async verifyAccessToken(token: string): Promise<AuthContext> {
    return this.admit(await this.tokens.verify(token));
  }

  /**
   * The caller named by a verified credential (an access token, or an event-stream ticket its token asked for): its
   * session still open and its account enabled, with the account's current role; else 401 unauthorized.
   */
  async admit(auth: AuthContext): Promise<AuthContext> {
    const sid = auth.sessionId;
    // Tokens from before sessions existed: "expired" makes clients trade their refresh token for one with a session.
    if (sid === undefined) throw errors.tokenExpired();
    if (this.revokedSessions.has(sid)) throw errors.unauthorized(SESSION_ENDED);
    const now = Date.now();
    const seen = this.openSessions.get(sid);
    if (seen !== undefined && now - seen < SESSION_OPEN_TTL_MS) return this.withUserState(auth, now);
    const session = await this.repo.findSession(sid);
    if (!session || session.userId !== auth.userId) {
      this.openSessions.delete(sid);
      const exists = await this.repo.findUserById(auth.userId);
      throw errors.unauthorized(exists ? SESSION_ENDED : 'This account no longer exists.');
    }
    if (session.revokedAt) {
      this.forgetSessions([sid]);
      throw errors.unauthorized(SESSION_ENDED);
    }
    // A revocation heard while the row was being read wins over what the row said.
    if (this.revokedSessions.has(sid)) throw errors.unauthorized(SESSION_ENDED);
    if (this.openSessions.size >= SESSION_CACHE_MAX) this.openSessions.clear();
    this.openSessions.set(sid, now);
    if (now - session.lastUsedAt.getTime() > 60_000) {
      this.repo.touchSession(sid).catch((err: unknown) => this.logger.warn({ err }, 'could not record a session use'));
    }
    return this.withUserState(auth, now);
  }

  /**
   * Refuses a disabled account's token, and gives the caller their current instance role (a demotion counts at once,
   * not when the token expires). Read at most every few seconds per user; a change is heard over the event bus.
   */
  private async withUserState(auth: AuthContext, now: number): Promise<AuthContext> {
    let state = this.userStates.get(auth.userId);
    if (!state || now - state.at >= USER_STATE_TTL_MS) {
      const user = await this.repo.findUserById(auth.userId);
      if (!user) throw errors.unauthorized('This account no longer exists.');
      state = { at: now, disabled: user.disabledAt !== null, role: user.role };
      if (this.userStates.size >= SESSION_CACHE_MAX) this.userStates.clear();
      this.userStates.set(auth.userId, state);
    }
    if (state.disabled) throw errors.unauthorized(ACCOUNT_DISABLED);
    return state.role === auth.role ? auth : { ...auth, role: state.role };
  }

  /** Tells every process that a user's disabled flag or role changed (their cached state is dropped). */
  async userChanged(userId: string): Promise<void> {
    this.userStates.delete(userId);
    await this.bus.publish({ kind: BUS_USER_CHANGED, body: { user_id: userId } });
  }

  /** Revokes every session of a user (an admin's force log-out): all their tokens stop working at once. */
  async endSessionsOf(userId: string): Promise<number> {
    const ids = await this.db.transaction((tx) => this.repo.revokeSessions(tx.orm, userId));
    await this.sessionsEnded(ids);
    return ids.length;
  }

  /** The caller's open sessions, newest login first, a page at a time; `current` marks the caller's own. */
  async sessions(auth: AuthContext, query: ListSessionsQuery = {}): Promise<SessionList> {
    const limit = query.limit ?? SESSION_PAGE_DEFAULT;
    const after = query.cursor === undefined ? undefined : pageCursor.decode(query.cursor);
    const rows = await this.repo.listActiveSessions(auth.userId, limit + 1, after);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      sessions: page.map((row) => toSessionInfo(row, row.id === auth.sessionId)),
      next_cursor: rows.length > limit && last ? pageCursor.encode({ at: last.createdAt, id: last.id }) : null,
    };
  }

  /** Revokes one of the caller's sessions (404 for any other id), ending its refresh and access tokens at once. */
  async revokeSession(auth: AuthContext, sessionId: string): Promise<void> {
    const ids = await this.db.transaction((tx) => this.repo.revokeSessions(tx.orm, auth.userId, sessionId));
    if (ids.length === 0) throw errors.notFound('session');
    await this.sessionsEnded(ids);
    await this.audit.record({
      actorId: auth.userId,
      action: 'auth.session_revoked',
      target: { type: 'user', id: auth.userId },
      ip: auth.ip,
      details: { session_id: sessionId, current: sessionId === auth.sessionId },
    });
  }

  /** Revokes every session of the caller, this one included: all their tokens stop working at once. */
  async logoutAll(auth: AuthContext): Promise<{ revoked_sessions: number }> {
    const ids = await this.db.transaction((tx) => this.repo.revokeSessions(tx.orm, auth.userId));
    await this.sessionsEnded(ids);
    await this.audit.record({
      actorId: auth.userId,
      action: 'auth.logout_all',
      target: { type: 'user', id: auth.userId },
      ip: auth.ip,
      details: { revoked_sessions: ids.length },
    });
    return { revoked_sessions: ids.length };
  }

  // Tells every process (this one too) that these sessions are over.
  private async sessionsEnded(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    this.forgetSessions(ids);
    await this.bus.publish({ kind: BUS_SESSIONS_REVOKED, body: { session_ids: ids } });
  }

  private forgetSessions(ids: string[]): void {
    const now = Date.now();
    const keepMs = this.tokens.ttlSeconds * 1000 + SESSION_OPEN_TTL_MS;
    if (this.revokedSessions.size >= SESSION_CACHE_MAX) {
      for (const [id, at] of this.revokedSessions) if (now - at > keepMs) this.revokedSessions.delete(id);
      if (this.revokedSessions.size >= SESSION_CACHE_MAX) this.revokedSessions.clear();
    }
    for (const id of ids) {
      this.openSessions.delete(id);
      this.revokedSessions.set(id, now);
    }
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
      await this.endFamily(row.familyId, row.userId, 'refresh_token_reused');
      throw invalid();
    }
    if (row.expiresAt.getTime() <= Date.now()) throw invalid();
    const user = await this.repo.findUserById(row.userId);
    if (!user || user.disabledAt) throw invalid();
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
      await this.repo.touchSession(row.familyId, tx.orm);
      return true;
    });
    if (!rotated) {
      // Lost a race with another use of the same token: that is a replay too.
      await this.endFamily(row.familyId, row.userId, 'refresh_token_reused');
      throw invalid();
    }
    return { ...(await this.accessFor(user, row.familyId)), refresh_token: next.token };
  }

  /** Ends the session of the given refresh token (if it is the caller's) and the session of the caller's token. */
  async logout(auth: AuthContext, refreshToken: string | undefined): Promise<void> {
    const ended = new Set<string>();
    if (refreshToken) {
      const row = await this.repo.findRefreshToken(hashRefreshToken(refreshToken));
      if (row && row.userId === auth.userId) ended.add(row.familyId);
    }
    if (auth.sessionId) ended.add(auth.sessionId);
    const ids: string[] = [];
    for (const id of ended) {
      ids.push(...(await this.db.transaction((tx) => this.repo.revokeSessions(tx.orm, auth.userId, id))));
    }
    await this.sessionsEnded(ids);
    await this.audit.record({
      actorId: auth.userId,
      action: 'auth.logout',
      target: { type: 'user', id: auth.userId },
      ip: auth.ip,
      details: { session_ids: ids },
    });
  }

  // A refresh token was replayed: its whole session ends, access tokens included, and the audit log says why.
  private async endFamily(familyId: string, userId: string, reason: string): Promise<void> {
    await this.repo.revokeFamily(familyId);
    await this.sessionsEnded([familyId]);
    await this.audit.record({
      actorId: userId,
      action: 'auth.session_revoked',
      target: { type: 'user', id: userId },
      details: { session_id: familyId, reason },
    });
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

  // Starts a session: its row, an access token naming it, and with `remember` the first refresh token of its family.
  private async session(
    user: UserRow,
    remember: boolean,
    info: ClientInfo,
  ): Promise<{ answer: AuthSession; sessionId: string; client: string | null }> {
    const sessionId = crypto.randomUUID();
    const client = clientName(info.client);
    const expiresAt = new Date(
      Date.now() + (remember ? this.limits.refreshTokenTtlDays * 86_400 : this.tokens.ttlSeconds) * 1000,
    );
    const refresh = remember ? newRefreshToken() : undefined;
    await this.db.transaction(async (tx) => {
      await this.repo.insertSession(tx.orm, {
        id: sessionId,
        userId: user.id,
        client,
        userAgent: info.userAgent ? info.userAgent.slice(0, 300) : null,
        expiresAt,
      });
      if (refresh) {
        await this.repo.insertRefreshToken(tx.orm, {
          id: crypto.randomUUID(),
          userId: user.id,
          familyId: sessionId,
          tokenHash: refresh.hash,
          expiresAt,
        });
      }
    });
    const access = await this.accessFor(user, sessionId);
    return { answer: refresh ? { ...access, refresh_token: refresh.token } : access, sessionId, client };
  }

  private async accessFor(user: UserRow, sessionId: string): Promise<AuthSession> {
    return {
      user: toUser(user),
      access_token: await this.tokens.issue(user.id, user.role, sessionId),
      token_type: 'Bearer',
      expires_in: this.tokens.ttlSeconds,
    };
  }
}

/** A client's name as sessions list it: a short lowercase token, or null for anything else. */
function clientName(header: string | undefined): string | null {
  const name = header?.trim().toLowerCase();
  return name && /^[a-z0-9][a-z0-9._-]{0,31}$/.test(name) ? name : null;
}

/** The API's view of a session row. */
export function toSessionInfo(row: SessionRow, current: boolean): SessionInfo {
  return {
    id: row.id,
    client: row.client,
    user_agent: row.userAgent,
    created_at: row.createdAt.toISOString(),
    last_used_at: row.lastUsedAt.toISOString(),
    expires_at: row.expiresAt.toISOString(),
    current,
  };
}

/** The API's view of a user row. */
export function toUser(row: UserRow): User {
  return { id: row.id, email: row.email, display_name: row.displayName, role: row.role };
}
