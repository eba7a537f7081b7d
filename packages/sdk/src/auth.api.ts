import type { AuthSession, LoginBody, LogoutAllResult, RegisterBody, SessionList, User } from '@hivesync/core';
import type { RequestOptions, Transport } from './transport.js';

/** A page of GET /auth/sessions: `limit` 1 to 100 (50 by default), `cursor` the previous page's `next_cursor`. */
export interface ListSessionsParams {
  limit?: number;
  cursor?: string;
}

/** /auth: accounts and sessions. Login and register store the tokens they get on the client. */
export class AuthApi {
  constructor(private readonly transport: Transport) {}

  /** Creates an account and stores its access token (registration never issues a refresh token). */
  async register(body: RegisterBody, opts?: RequestOptions): Promise<AuthSession> {
    const session = await this.transport.json<AuthSession>(
      { method: 'POST', path: '/auth/register', body, auth: false },
      opts,
    );
    await this.store(session);
    return session;
  }

  /** Logs in and stores the tokens; pass `remember: true` to get a refresh token and automatic refresh. */
  async login(body: LoginBody, opts?: RequestOptions): Promise<AuthSession> {
    const session = await this.transport.json<AuthSession>(
      { method: 'POST', path: '/auth/login', body, auth: false },
      opts,
    );
    await this.store(session);
    return session;
  }

  /** Exchanges the held refresh token for a new pair (the old one is spent) and stores it. */
  refresh(opts?: RequestOptions): Promise<AuthSession> {
    return this.transport.refresh(opts);
  }

  /** Revokes the session of the held refresh token, if any, and forgets the tokens even when the call fails. */
  async logout(opts?: RequestOptions): Promise<void> {
    const refreshToken = this.transport.tokens.refreshToken;
    try {
      await this.transport.json<undefined>(
        { method: 'POST', path: '/auth/logout', body: refreshToken === null ? {} : { refresh_token: refreshToken } },
        opts,
      );
    } finally {
      await this.transport.changeTokens({ accessToken: null, refreshToken: null });
    }
  }

  /** The caller. */
  me(opts?: RequestOptions): Promise<User> {
    return this.transport.json<User>({ method: 'GET', path: '/auth/me' }, opts);
  }

  /**
   * A page of the caller's open sessions (one per login), newest login first; `current` marks this client's. Pass
   * the answer's `next_cursor` as `cursor` for the next page.
   */
  sessions(params: ListSessionsParams = {}, opts?: RequestOptions): Promise<SessionList> {
    return this.transport.json<SessionList>({ method: 'GET', path: '/auth/sessions', query: { ...params } }, opts);
  }

  /**
   * Revokes one of the caller's sessions: its tokens stop working at once (not_found for an id that is not one of
   * the caller's open sessions). Revoking this client's own session ends it like logout, but keeps the tokens here.
   */
  async revokeSession(id: string, opts?: RequestOptions): Promise<void> {
    const path = `/auth/sessions/${encodeURIComponent(id)}`;
    await this.transport.json<undefined>({ method: 'DELETE', path }, opts);
  }

  /**
   * Logs out everywhere: revokes every session of the caller, this one included, then forgets the tokens here.
   * When the call fails the tokens are kept (nothing was revoked), so it can be tried again.
   */
  async logoutAll(opts?: RequestOptions): Promise<LogoutAllResult> {
    const result = await this.transport.json<LogoutAllResult>({ method: 'POST', path: '/auth/logout_all' }, opts);
    await this.transport.changeTokens({ accessToken: null, refreshToken: null });
    return result;
  }

  private store(session: AuthSession): Promise<void> {
    return this.transport.changeTokens({
      accessToken: session.access_token,
      refreshToken: session.refresh_token ?? null,
    });
  }
}
