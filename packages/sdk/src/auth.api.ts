import type { AuthSession, LoginBody, RegisterBody, User } from '@hivesync/core';
import type { RequestOptions, Transport } from './transport.js';

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

  private store(session: AuthSession): Promise<void> {
    return this.transport.changeTokens({
      accessToken: session.access_token,
      refreshToken: session.refresh_token ?? null,
    });
  }
}
