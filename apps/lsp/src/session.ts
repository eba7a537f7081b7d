import os from 'node:os';
import path from 'node:path';
import { CredentialStore, credentialsPath, serverKey } from '@hivesync/cli/dist/credentials.js';
import { backoffSeconds, HiveSyncClient, isHiveSyncError, type HiveSyncTokens, type User } from '@hivesync/sdk';

/** The language server's version, sent in its User-Agent. */
export const LSP_VERSION = '0.1.0';

/** Where the session's messages go (window/showMessage and window/logMessage). */
export interface SessionUi {
  log(message: string): void;
  warn(message: string): void;
  /** Shown to the user once per outage or problem. */
  show(kind: 'warning' | 'error' | 'info', message: string): void;
}

/** Whether an error means the server (or the agent) could not be reached. */
export function isUnreachable(err: unknown): boolean {
  return isHiveSyncError(err) && (err.code === 'network_error' || err.status === 0 || err.status >= 502);
}

/** Whether an error means nobody is signed in (no stored login, or it ended). */
export function isSignedOut(err: unknown): boolean {
  return isHiveSyncError(err) && (err.code === 'unauthorized' || err.code === 'token_expired');
}

/**
 * Who the language server is signed in as, and the one HiveSyncClient it calls. It holds no credentials of its own:
 * in `auto` mode the SDK goes through the local agent (Proxy Mode) while one runs for this server; otherwise it uses
 * the login the CLI stored (`hivesync login`, a 0600 file under $XDG_CONFIG_HOME/hivesync) and writes refreshed
 * tokens back under the CLI's lock. Editor settings never hold a token.
 *
 * `connect()` tries until it has a user: while the server cannot be reached it says so once and tries again after
 * 1, 2, 4… up to 120 s.
 */
export class Session {
  private clientValue: HiveSyncClient | undefined;
  private userValue: User | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private shownOffline = false;
  private shownSignedOut = false;
  private connecting: Promise<User | undefined> | undefined;
  private disposed = false;
  private readonly store: CredentialStore;
  /** Called each time the session gets a user. */
  onConnected: (user: User) => void = () => undefined;

  constructor(
    readonly server: string,
    private readonly mode: 'auto' | 'direct',
    private readonly ui: SessionUi,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.store = new CredentialStore(credentialsPath(env, homeOf(env)));
    this.agentDir =
      env.HIVESYNC_AGENT_DIR && path.isAbsolute(env.HIVESYNC_AGENT_DIR)
        ? env.HIVESYNC_AGENT_DIR
        : path.join(homeOf(env), '.hivesync');
  }

  private readonly agentDir: string;

  /** The client, once connect() made one. */
  get client(): HiveSyncClient | undefined {
    return this.userValue ? this.clientValue : undefined;
  }

  get user(): User | undefined {
    return this.userValue;
  }

  /** Which way requests go: `agent` in Proxy Mode. */
  get route(): 'direct' | 'agent' | undefined {
    return this.clientValue?.route;
  }

  /** Connects (once at a time); resolves with the user, or undefined while it cannot (a retry is then scheduled). */
  connect(): Promise<User | undefined> {
    this.connecting ??= this.tryConnect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async tryConnect(): Promise<User | undefined> {
    clearTimeout(this.timer);
    if (this.disposed) return undefined;
    const creds = await this.store.get(this.server).catch(() => undefined);
    const tokens: HiveSyncTokens = {
      accessToken: creds?.access_token ?? null,
      refreshToken: creds?.refresh_token ?? null,
    };
    const client = this.makeClient(tokens);
    try {
      const user = await client.auth.me();
      this.clientValue = client;
      this.userValue = user;
      if (this.failures > 0 || this.shownOffline) this.ui.log(`connected to ${this.server} again`);
      this.failures = 0;
      this.shownOffline = false;
      this.shownSignedOut = false;
      this.ui.log(`signed in as ${user.email} (${client.route === 'agent' ? 'through the local agent' : 'direct'})`);
      this.onConnected(user);
      return user;
    } catch (err) {
      this.userValue = undefined;
      this.failures++;
      if (isSignedOut(err)) {
        if (!this.shownSignedOut) {
          this.shownSignedOut = true;
          this.ui.show(
            'warning',
            `HiveSync: not signed in to ${this.server}. Run \`hivesync login --server ${this.server}\` (or start \`hivesync agent\` or the desktop app); the editor keeps no password or token.`,
          );
        }
      } else if (isUnreachable(err)) {
        if (!this.shownOffline) {
          this.shownOffline = true;
          this.ui.show('warning', `HiveSync: cannot reach ${this.server}; trying again in the background.`);
        }
      } else {
        this.ui.show('error', `HiveSync: ${err instanceof Error ? err.message : String(err)}`);
      }
      const wait = backoffSeconds(this.failures);
      this.ui.log(`connect failed (${errorCode(err)}); next try in ${wait} s`);
      this.timer = setTimeout(() => void this.connect(), wait * 1000);
      return undefined;
    }
  }

  /**
   * A call failed: when the server became unreachable or the session ended, the session is dropped and connect()
   * starts trying again (reporting once).
   */
  failed(err: unknown): void {
    if (!isUnreachable(err) && !isSignedOut(err)) return;
    if (!this.userValue) return;
    this.userValue = undefined;
    this.failures = 0;
    if (isUnreachable(err) && !this.shownOffline) {
      this.shownOffline = true;
      this.ui.show('warning', `HiveSync: lost the connection to ${this.server}; trying again in the background.`);
    }
    this.timer = setTimeout(() => void this.connect(), 1000);
  }

  private makeClient(tokens: HiveSyncTokens): HiveSyncClient {
    const client: HiveSyncClient = new HiveSyncClient({
      baseUrl: this.server,
      ...tokens,
      client: 'lsp',
      userAgent: `hivesync-lsp/${LSP_VERSION}`,
      mode: this.mode,
      agent: { dir: this.agentDir, onRoute: (route, reason) => this.ui.log(`connection: ${route} (${reason})`) },
      onTokens: (next) =>
        this.store.update(this.server, (current) =>
          next.accessToken === null
            ? undefined
            : {
                access_token: next.accessToken,
                refresh_token: next.refreshToken,
                email: current?.email ?? null,
                user_id: current?.user_id ?? null,
                updated_at: new Date().toISOString(),
              },
        ),
      // The CLI (and the agent) may have rotated the refresh token since it was read: refresh with the newest.
      refreshLock: (refresh) =>
        this.store.withLock(async () => {
          const stored = await this.store.get(this.server);
          if (stored?.refresh_token && stored.refresh_token !== client.tokens.refreshToken) {
            client.setTokens({ accessToken: client.tokens.accessToken, refreshToken: stored.refresh_token });
          }
          await refresh();
        }),
    });
    return client;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
  }
}

/** The server key the CLI stores logins under (its URL without a trailing slash). */
export function normalizeServer(url: string): string {
  return serverKey(url);
}

function homeOf(env: NodeJS.ProcessEnv): string {
  return env.HOME && path.isAbsolute(env.HOME) ? env.HOME : os.homedir();
}

function errorCode(err: unknown): string {
  return isHiveSyncError(err) ? err.code : err instanceof Error ? err.message : String(err);
}
