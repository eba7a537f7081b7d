import { z } from 'zod';
import { Id, Timestamp } from './common.js';

/** The instance-wide role of a user: the first user of an instance is its admin. */
export const UserRole = z.enum(['user', 'admin']);
export type UserRole = z.infer<typeof UserRole>;

/** Minimum password length; shorter ones are refused with validation_error. */
export const PASSWORD_MIN_LENGTH = 10;

/** An email address, trimmed and lower-cased before it is checked, so lookups never depend on case. */
export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .check(z.email({ message: 'must be a valid email address' }));

export const RegisterBody = z
  .object({
    email: Email,
    /** Also checked by the server against a strength estimator (zxcvbn): common or guessable ones are refused. */
    password: z
      .string()
      .min(PASSWORD_MIN_LENGTH, { message: `must be at least ${PASSWORD_MIN_LENGTH} characters` })
      .max(1024)
      .refine((p) => p.trim().length > 0, { message: 'must not be only whitespace' }),
    display_name: z.string().trim().min(1).max(100).optional(),
  })
  .meta({ id: 'RegisterBody' });
export type RegisterBody = z.input<typeof RegisterBody>;

export const LoginBody = z
  .object({
    email: Email,
    password: z.string().min(1).max(1024),
    remember: z.boolean().optional(),
  })
  .meta({ id: 'LoginBody' });
export type LoginBody = z.input<typeof LoginBody>;

export const RefreshBody = z.object({ refresh_token: z.string().min(1).max(512) }).meta({ id: 'RefreshBody' });
export type RefreshBody = z.infer<typeof RefreshBody>;

export const LogoutBody = z.object({ refresh_token: z.string().min(1).max(512).optional() }).meta({ id: 'LogoutBody' });
export type LogoutBody = z.infer<typeof LogoutBody>;

export const User = z
  .object({ id: Id, email: z.string(), display_name: z.string(), role: UserRole })
  .meta({ id: 'User' });
export type User = z.infer<typeof User>;

export const AuthSession = z
  .object({
    user: User,
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int(),
    refresh_token: z.string().optional(),
  })
  .meta({ id: 'AuthSession' });
export type AuthSession = z.infer<typeof AuthSession>;

/**
 * One login of the caller (a session): every login or registration starts one, and each refresh token it is given
 * belongs to it. `current` marks the session of the access token that asked.
 */
export const SessionInfo = z
  .object({
    id: Id,
    /** The client that logged in, as it named itself in X-HiveSync-Client (web, cli, vscode…), or null. */
    client: z.string().nullable(),
    /** The User-Agent header of the login, or null. */
    user_agent: z.string().nullable(),
    created_at: Timestamp,
    /** The last time the session was used (its login, a refresh, or a call, to within a minute). */
    last_used_at: Timestamp,
    /** When the session ends unless it is revoked first (its refresh token's expiry, or its access token's). */
    expires_at: Timestamp,
    current: z.boolean(),
  })
  .meta({ id: 'SessionInfo' });
export type SessionInfo = z.infer<typeof SessionInfo>;

/** Sessions per page of GET /auth/sessions when `limit` is not given, and the most a page holds. */
export const SESSION_PAGE_DEFAULT = 50;
export const SESSION_PAGE_MAX = 100;

/** A page cursor: the `next_cursor` of the previous page (opaque). */
export const PageCursor = z
  .string()
  .max(500)
  .regex(/^[A-Za-z0-9_-]+$/);

export const ListSessionsQuery = z.object({
  /** Sessions per page: 1 to 100, 50 by default. */
  limit: z.coerce.number().int().min(1).max(SESSION_PAGE_MAX).optional(),
  cursor: PageCursor.optional(),
});
export type ListSessionsQuery = z.infer<typeof ListSessionsQuery>;

/** The caller's open sessions, newest login first. */
export const SessionList = z
  .object({
    sessions: z.array(SessionInfo),
    /** Pass as `cursor` for the next page; null on the last one. */
    next_cursor: z.string().nullable(),
  })
  .meta({ id: 'SessionList' });
export type SessionList = z.infer<typeof SessionList>;

export const SessionParams = z.object({ id: Id });
export type SessionParams = z.infer<typeof SessionParams>;

/** What POST /auth/logout_all ended. */
export const LogoutAllResult = z.object({ revoked_sessions: z.number().int() }).meta({ id: 'LogoutAllResult' });
export type LogoutAllResult = z.infer<typeof LogoutAllResult>;
