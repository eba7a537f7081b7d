import { HiveSyncClient, type HiveSyncTokens, type User } from '@hivesync/sdk';

/**
 * Where the web app keeps its session. The API offers bearer tokens only (no cookie session), so the access token
 * lives in memory and the refresh token in localStorage, shared by the tabs of this browser: a reload or a new tab
 * trades it for a fresh access token. Refresh tokens rotate and presenting a spent one revokes the whole session, so
 * tabs refresh one at a time under a Web Lock, each first taking the newest token another tab stored.
 * docs/web.md says why this and not something else.
 */
export const REFRESH_TOKEN_KEY = 'hivesync.refresh_token';
const REFRESH_LOCK = 'hivesync.refresh';

/** What the app knows about who is signed in. */
export type SessionState =
  { status: 'restoring' } | { status: 'signed_out'; expired: boolean } | { status: 'signed_in'; user: User };

type Listener = (state: SessionState) => void;

/** The one API client of the app and the session around it. */
export class SessionStore {
  readonly client: HiveSyncClient;
  private state: SessionState = { status: 'restoring' };
  private readonly listeners = new Set<Listener>();
  private loggingOut = false;

  constructor(
    baseUrl: string,
    private readonly storage: Storage = window.localStorage,
  ) {
    this.client = new HiveSyncClient({
      baseUrl,
      client: 'web',
      refreshToken: storage.getItem(REFRESH_TOKEN_KEY),
      onTokens: (tokens) => this.tokensChanged(tokens),
      refreshLock: (refresh) => this.underLock(refresh),
    });
    // Another tab logged out: this one is logged out too.
    window.addEventListener('storage', (event) => {
      if (event.key === REFRESH_TOKEN_KEY && event.newValue === null && this.state.status === 'signed_in') {
        this.client.setTokens({ accessToken: null, refreshToken: null });
        this.set({ status: 'signed_out', expired: false });
      }
    });
  }

  get current(): SessionState {
    return this.state;
  }

  /** Calls `listener` on every change; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** On start: trades a stored refresh token for an access token, or settles on signed out. */
  async restore(): Promise<void> {
    if (this.storage.getItem(REFRESH_TOKEN_KEY) === null) {
      this.set({ status: 'signed_out', expired: false });
      return;
    }
    try {
      await this.underLock(() => this.client.auth.refresh().then(() => undefined));
      this.set({ status: 'signed_in', user: await this.client.auth.me() });
    } catch {
      // A refused token was forgotten by the SDK; a network failure leaves it for the next try.
      this.set({ status: 'signed_out', expired: this.storage.getItem(REFRESH_TOKEN_KEY) === null });
    }
  }

  /** Logs in; `remember` is always asked for, because the refresh token is what survives a reload. */
  async login(email: string, password: string): Promise<void> {
    const session = await this.client.auth.login({ email, password, remember: true });
    this.set({ status: 'signed_in', user: session.user });
  }

  /** Creates an account, then logs in to it (registration issues no refresh token). */
  async register(email: string, password: string, displayName: string | undefined): Promise<void> {
    await this.client.auth.register({ email, password, ...(displayName ? { display_name: displayName } : {}) });
    // The registration's own session has no refresh token and is not kept: end it, so that the account page lists
    // only the login's.
    await this.client.auth.logout().catch(() => undefined);
    await this.login(email, password);
  }

  /** Revokes this browser's session on the server and forgets it here, even when the server cannot be reached. */
  async logout(): Promise<void> {
    this.loggingOut = true;
    try {
      await this.client.auth.logout();
    } finally {
      this.loggingOut = false;
      this.set({ status: 'signed_out', expired: false });
    }
  }

  /**
   * Logs out everywhere: the server ends every session of this account (other browsers and the CLI too), then this
   * browser forgets its session, and other tabs follow. When the server cannot do it, nothing changes here and the
   * error is thrown, so it can be tried again.
   */
  async logoutAll(): Promise<void> {
    this.loggingOut = true;
    try {
      await this.client.auth.logoutAll();
    } finally {
      this.loggingOut = false;
    }
    this.set({ status: 'signed_out', expired: false });
  }

  /** A call was refused with 401 and no refresh could save it: back to the login page. */
  expire(): void {
    if (this.state.status !== 'signed_in') return;
    this.client.setTokens({ accessToken: null, refreshToken: null });
    this.storage.removeItem(REFRESH_TOKEN_KEY);
    this.set({ status: 'signed_out', expired: true });
  }

  private tokensChanged(tokens: HiveSyncTokens): void {
    if (tokens.refreshToken === null) this.storage.removeItem(REFRESH_TOKEN_KEY);
    else this.storage.setItem(REFRESH_TOKEN_KEY, tokens.refreshToken);
    if (tokens.accessToken === null && this.state.status === 'signed_in' && !this.loggingOut) {
      this.set({ status: 'signed_out', expired: true });
    }
  }

  // Refreshes one tab at a time, starting from the refresh token another tab may have rotated meanwhile.
  private async underLock(refresh: () => Promise<void>): Promise<void> {
    const run = async () => {
      const stored = this.storage.getItem(REFRESH_TOKEN_KEY);
      if (stored !== null && stored !== this.client.tokens.refreshToken) {
        this.client.setTokens({ accessToken: this.client.tokens.accessToken, refreshToken: stored });
      }
      await refresh();
    };
    if (typeof navigator !== 'undefined' && navigator.locks) await navigator.locks.request(REFRESH_LOCK, run);
    else await run();
  }

  private set(state: SessionState): void {
    this.state = state;
    for (const listener of this.listeners) listener(state);
  }
}
