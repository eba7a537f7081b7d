import { AgentApi, HiveSyncClient, type HiveSyncTokens, type User } from '@hivesync/sdk';
import * as vscode from 'vscode';
import { errorText, isOffline, isSessionOver } from '../common/errors.js';
import { OncePrompt } from '@hivesync/editor';
import { serverUrl, setting, SETTINGS } from '../settings.js';

const EXTENSION_VERSION = '0.1.0';

/**
 * Who the extension is signed in as, and the one HiveSyncClient every feature calls. Tokens live in VS Code's
 * SecretStorage, one entry per server. In `auto` connection mode the SDK goes through the local agent while one runs
 * for this server (Proxy Mode): then the agent adds the user's token and the extension needs and holds none.
 */
export class Session implements vscode.Disposable {
  private clientValue: HiveSyncClient;
  private userValue: User | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly expiredPrompt = new OncePrompt();
  private retry: ReturnType<typeof setTimeout> | undefined;
  private retryDelay = 7_500;
  /** Fired when the user signs in or out, or the server or connection setting changes. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    readonly log: vscode.LogOutputChannel,
  ) {
    this.clientValue = this.makeClient({ accessToken: null, refreshToken: null });
  }

  /** The client to call the server with (replaced when the settings change: do not keep it). */
  get client(): HiveSyncClient {
    return this.clientValue;
  }

  /** The signed-in user, or undefined. */
  get user(): User | undefined {
    return this.userValue;
  }

  /** The server URL this session is for. */
  get server(): string {
    return this.clientValue.baseUrl;
  }

  /** Whether requests go through the local agent (Proxy Mode). */
  get proxied(): boolean {
    return this.clientValue.route === 'agent';
  }

  /**
   * The local agent's own routes (folder mappings, apply, previews) while requests go through it (Proxy Mode), else
   * null. Found again from the discovery file each time: the agent may have restarted on another port.
   */
  async agent(): Promise<AgentApi | null> {
    if (!this.proxied) return null;
    try {
      return await AgentApi.discover();
    } catch (err) {
      this.log.warn(`the local agent: ${errorText(err)}`);
      return null;
    }
  }

  private secretKey(server = serverUrl()): string {
    return `hivesync.tokens:${server}`;
  }

  private makeClient(tokens: HiveSyncTokens): HiveSyncClient {
    const mode = setting<string>(SETTINGS.connection, 'auto') === 'direct' ? 'direct' : 'auto';
    const server = serverUrl();
    return new HiveSyncClient({
      baseUrl: server,
      ...tokens,
      client: 'vscode',
      userAgent: `hivesync-vscode/${EXTENSION_VERSION}`,
      mode,
      agent: {
        // The agent answers its /health without calling the server, but an editor starting on a busy machine (many
        // extension hosts at once) can keep it waiting past the SDK's 500 ms: only the first request waits for it.
        probeTimeoutMs: 2000,
        onRoute: (route, reason) => this.log.info(`connection: ${route} (${reason})`),
      },
      onTokens: async (next) => {
        if (next.accessToken === null && next.refreshToken === null) await this.secrets.delete(this.secretKey(server));
        else await this.secrets.store(this.secretKey(server), JSON.stringify(next));
      },
    });
  }

  /** Loads the stored tokens for the configured server and finds out who they belong to (quietly). */
  async restore(): Promise<void> {
    const stored = await this.secrets.get(this.secretKey());
    let tokens: HiveSyncTokens = { accessToken: null, refreshToken: null };
    if (stored) {
      try {
        tokens = JSON.parse(stored) as HiveSyncTokens;
      } catch {
        await this.secrets.delete(this.secretKey());
      }
    }
    this.clientValue = this.makeClient(tokens);
    this.userValue = undefined;
    clearTimeout(this.retry);
    const holdsToken = tokens.accessToken !== null || tokens.refreshToken !== null;
    try {
      // Without a token this still works through the agent (Proxy Mode); direct, it answers 401 and we stay out.
      this.userValue = await this.clientValue.auth.me();
      this.retryDelay = 7_500;
      this.log.info(`signed in as ${this.userValue.email} (${this.proxied ? 'through the local agent' : 'direct'})`);
    } catch (err) {
      if (isSessionOver(err)) {
        if (holdsToken) {
          this.log.warn('the stored session has ended');
          await this.secrets.delete(this.secretKey());
          this.clientValue.setTokens({ accessToken: null, refreshToken: null });
          this.sessionEnded();
        }
      } else {
        this.log.warn(`cannot check the session: ${errorText(err, this.server)}`);
        // Offline with a stored token (or an agent that may come back): keep it and look again later, backing off
        // to 120 s, so that the extension signs itself in once the server answers.
        this.retryDelay = Math.min(120_000, this.retryDelay * 2);
        clearTimeout(this.retry);
        this.retry = setTimeout(() => void this.restore(), this.retryDelay);
      }
    }
    this.changed.fire();
  }

  /** Asks for the email and password and signs in (directly: session calls never go through the agent). */
  async signIn(): Promise<boolean> {
    const server = serverUrl();
    const email = await vscode.window.showInputBox({
      title: `Sign in to HiveSync (${server})`,
      prompt: 'Email',
      placeHolder: 'you@example.com',
      ignoreFocusOut: true,
      validateInput: (v) => (/.+@.+/.test(v.trim()) ? undefined : 'Enter the email of your HiveSync account.'),
    });
    if (!email) return false;
    const password = await vscode.window.showInputBox({
      title: `Sign in to HiveSync (${server})`,
      prompt: `Password for ${email.trim()}`,
      password: true,
      ignoreFocusOut: true,
    });
    if (!password) return false;
    this.clientValue = this.makeClient({ accessToken: null, refreshToken: null });
    try {
      const session = await this.clientValue.auth.login({ email: email.trim(), password, remember: true });
      this.userValue = session.user;
    } catch (err) {
      void vscode.window.showErrorMessage(`HiveSync: sign-in failed. ${errorText(err, server)}`);
      return false;
    }
    this.expiredPrompt.reset();
    this.log.info(`signed in as ${this.userValue.email}`);
    void vscode.window.showInformationMessage(
      `HiveSync: signed in as ${this.userValue.display_name ?? this.userValue.email}.`,
    );
    this.changed.fire();
    return true;
  }

  /** Ends the session on the server (when we hold one) and forgets the tokens. */
  async signOut(): Promise<void> {
    const { accessToken, refreshToken } = this.clientValue.tokens;
    if (accessToken !== null || refreshToken !== null) {
      try {
        await this.clientValue.auth.logout();
      } catch (err) {
        this.log.warn(`logout: ${errorText(err)}`);
      }
    }
    await this.secrets.delete(this.secretKey());
    this.clientValue = this.makeClient({ accessToken: null, refreshToken: null });
    this.userValue = undefined;
    void vscode.window.showInformationMessage(
      'HiveSync: signed out.' + (this.proxied ? ' The local agent keeps its own session.' : ''),
    );
    this.changed.fire();
  }

  /**
   * Reports a failed call: an ended session gives one sign-in prompt (not one per failed call), being offline is
   * only logged (the status bar says it), anything else is shown in words.
   */
  report(err: unknown, what: string): void {
    this.log.error(`${what}: ${errorText(err, this.server)}`);
    if (isSessionOver(err)) {
      this.userValue = undefined;
      this.sessionEnded();
      this.changed.fire();
      return;
    }
    void vscode.window.showErrorMessage(`HiveSync: ${what} failed. ${errorText(err, this.server)}`);
  }

  /** Whether an error is the server being unreachable. */
  isOffline(err: unknown): boolean {
    return isOffline(err);
  }

  /** The one "session ended" prompt. */
  sessionEnded(): void {
    if (!this.expiredPrompt.take()) return;
    void vscode.window
      .showWarningMessage('HiveSync: your session has ended. Sign in again to keep syncing and commenting.', 'Sign In')
      .then((choice) => {
        if (choice === 'Sign In') void vscode.commands.executeCommand('hivesync.signIn');
      });
  }

  dispose(): void {
    clearTimeout(this.retry);
    this.changed.dispose();
  }
}
