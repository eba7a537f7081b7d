import { HiveSyncClient, isHiveSyncError, type HiveSyncTokens } from '@hivesync/sdk';
import type { SecretStore } from './secret-store.js';

/** How the agent gets and keeps the user's session. */
export interface SessionOptions {
  serverUrl: string;
  /** Tokens to start from (the CLI's stored login); else the refresh token kept in the secret store, if any. */
  tokens?: HiveSyncTokens;
  secrets: SecretStore;
  /** Told of every token change, after the secret store (the CLI writes them back to its credentials file). */
  onTokens?: (tokens: HiveSyncTokens) => void | Promise<void>;
  /**
   * Wraps each refresh, for processes that share the tokens (the CLI's lock file); inside, `client.setTokens()` may
   * install a newer refresh token another process stored.
   */
  refreshLock?: (refresh: () => Promise<void>, client: HiveSyncClient) => Promise<void>;
  userAgent: string;
  fetch?: typeof fetch;
}

/** The secret store's account for a server's session. */
export function sessionAccount(serverUrl: string): string {
  return `session:${serverUrl}`;
}

/**
 * The user's session with the server, held by the agent alone: plugins never see a token. The refresh token is
 * kept in the secret store (never in logs); the access token only in memory. Refreshes are serialized in this
 * process (and across processes by `refreshLock`), since presenting a spent refresh token ends the whole session.
 */
export class Session {
  /** A direct client holding the tokens, for the agent's own calls (the event stream, /auth/me, health). */
  readonly client: HiveSyncClient;
  private userIdValue: string | null = null;
  private emailValue: string | null = null;
  private refreshing: Promise<void> | undefined;
  private mutex: Promise<unknown> = Promise.resolve();

  private constructor(private readonly options: SessionOptions) {
    const client: HiveSyncClient = new HiveSyncClient({
      baseUrl: options.serverUrl,
      accessToken: options.tokens?.accessToken ?? null,
      refreshToken: options.tokens?.refreshToken ?? null,
      userAgent: options.userAgent,
      client: 'agent',
      mode: 'direct',
      fetch: options.fetch,
      onTokens: (tokens) => this.tokensChanged(tokens),
      refreshLock: (refresh) =>
        this.serialized(() => (options.refreshLock ? options.refreshLock(refresh, client) : refresh())),
    });
    this.client = client;
  }

  /** The session from the given tokens, else from the secret store; signed out when neither has one. */
  static async open(options: SessionOptions): Promise<Session> {
    let tokens = options.tokens;
    let storedUser: string | null = null;
    if (!tokens?.accessToken && !tokens?.refreshToken) {
      const stored = parseStored(await options.secrets.get(sessionAccount(options.serverUrl)));
      if (stored) {
        tokens = { accessToken: null, refreshToken: stored.refresh_token };
        storedUser = stored.user_id;
      }
    }
    const session = new Session({ ...options, tokens });
    session.userIdValue = storedUser;
    if (tokens?.refreshToken) await session.persist(tokens.refreshToken);
    return session;
  }

  /** Whether the agent holds a session (an access or a refresh token). */
  get signedIn(): boolean {
    const { accessToken, refreshToken } = this.client.tokens;
    return accessToken !== null || refreshToken !== null;
  }

  /** The signed-in user's id, once known. */
  get userId(): string | null {
    return this.userIdValue;
  }

  /** The signed-in user's email, once known. */
  get email(): string | null {
    return this.emailValue;
  }

  /**
   * Signs in with a password (the desktop renderer's sign-in), replacing any session held: the old one is logged out
   * on the server first. Rejects with the server's error (401 for wrong credentials); the old session is kept then.
   */
  async signIn(email: string, password: string): Promise<void> {
    // A throwaway client, so that wrong credentials leave the current session as it is.
    const trial = new HiveSyncClient({
      baseUrl: this.options.serverUrl,
      userAgent: this.options.userAgent,
      fetch: this.options.fetch,
      client: 'desktop',
    });
    const session = await trial.auth.login({ email, password, remember: true });
    if (this.signedIn) await this.client.auth.logout().catch(() => undefined);
    this.userIdValue = session.user.id;
    this.emailValue = session.user.email;
    const tokens = { accessToken: session.access_token, refreshToken: session.refresh_token ?? null };
    this.client.setTokens(tokens);
    await this.tokensChanged(tokens);
  }

  /** Signs out: the server revokes the session (when it answers), and the secret store forgets it. */
  async signOut(): Promise<void> {
    if (!this.signedIn) return;
    await this.client.auth.logout().catch(() => undefined);
    this.userIdValue = null;
    this.emailValue = null;
  }

  /** The access token to forward with, getting one first from the refresh token when there is none yet. */
  async accessToken(): Promise<string | null> {
    const { accessToken, refreshToken } = this.client.tokens;
    if (accessToken === null && refreshToken !== null) {
      await this.refreshAfter(null).catch(() => undefined);
    }
    return this.client.tokens.accessToken;
  }

  /** Learns the user's id (GET /auth/me); false when the server cannot be asked now. */
  async identify(): Promise<boolean> {
    if (!this.signedIn) return false;
    try {
      await this.accessToken();
      const me = await this.client.auth.me();
      this.userIdValue = me.id;
      this.emailValue = me.email;
      const refresh = this.client.tokens.refreshToken;
      if (refresh) await this.persist(refresh);
      return true;
    } catch (err) {
      if (isHiveSyncError(err) && err.status === 401) this.userIdValue = null;
      return false;
    }
  }

  /**
   * Refreshes the access token a forwarded call found expired, once per expiry (concurrent callers share it); a
   * no-op when another refresh already replaced it. Rejects when the refresh token is refused.
   */
  refreshAfter(expired: string | null): Promise<void> {
    this.refreshing ??= this.serialized(async () => {
      const attempt = async () => {
        if (this.client.tokens.accessToken !== expired) return;
        await this.client.auth.refresh();
      };
      await (this.options.refreshLock ? this.options.refreshLock(attempt, this.client) : attempt());
    }).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.mutex.then(fn, fn);
    this.mutex = run.catch(() => undefined);
    return run;
  }

  private async tokensChanged(tokens: HiveSyncTokens): Promise<void> {
    if (tokens.refreshToken) await this.persist(tokens.refreshToken);
    else if (tokens.accessToken === null) {
      this.userIdValue = null;
      await this.options.secrets.delete(sessionAccount(this.options.serverUrl));
    }
    await this.options.onTokens?.(tokens);
  }

  private async persist(refreshToken: string): Promise<void> {
    const value = JSON.stringify({ refresh_token: refreshToken, user_id: this.userIdValue });
    await this.options.secrets.set(sessionAccount(this.options.serverUrl), value);
  }
}

function parseStored(text: string | null): { refresh_token: string; user_id: string | null } | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as { refresh_token?: unknown; user_id?: unknown };
    if (typeof value.refresh_token !== 'string') return undefined;
    return { refresh_token: value.refresh_token, user_id: typeof value.user_id === 'string' ? value.user_id : null };
  } catch {
    return undefined;
  }
}
