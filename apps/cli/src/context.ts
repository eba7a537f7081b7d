import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Command } from 'commander';
import { HiveSyncClient, type HiveSyncTokens } from '@hivesync/sdk';
import { CredentialStore, serverKey, type ServerCredentials } from './credentials.js';
import { CliError, EXIT, usageError } from './errors.js';
import { Output } from './output.js';

/** The CLI's version, sent in its User-Agent. */
export const CLI_VERSION = '0.1.0';

/** The server the CLI talks to when neither --server nor HIVESYNC_SERVER says otherwise. */
export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

/** The process streams and environment, injectable so tests can run commands in-process. */
export interface Io {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  stdin: Readable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** What every command module gets from main.ts. */
export interface Cli {
  io: Io;
  /** The context of a running command, with its global options (--json, --server) resolved. */
  context(command: Command): Context;
}

/** The options every command takes. */
export interface GlobalOptions {
  json?: boolean;
  server?: string;
}

/** What a command needs: where to talk, how to print, where credentials live. */
export class Context {
  readonly server: string;
  readonly out: Output;
  readonly store: CredentialStore;

  constructor(
    readonly io: Io,
    options: GlobalOptions,
    credentialsFile: string,
  ) {
    this.out = new Output(io, options.json === true);
    this.server = resolveServer(options.server ?? io.env.HIVESYNC_SERVER ?? DEFAULT_SERVER);
    this.store = new CredentialStore(credentialsFile);
  }

  /** The stored credentials for this server. */
  credentials(): Promise<ServerCredentials | undefined> {
    return this.store.get(this.server);
  }

  /** A client for the logged-in user; exit code 3 when nobody is logged in to this server. */
  async loggedInClient(): Promise<HiveSyncClient> {
    const creds = await this.credentials();
    if (!creds) {
      throw new CliError('not_logged_in', `not logged in to ${this.server}: run \`hivesync login\``, EXIT.auth);
    }
    return this.client(creds);
  }

  /**
   * A client with the given (or no) credentials; refreshed tokens are written back to the credentials file. It runs
   * in auto mode: through the local agent (`hivesync agent`, the desktop app) while one answers for this server,
   * else direct, switching silently (docs/desktop.md).
   */
  client(creds?: ServerCredentials, options: { mode?: 'auto' | 'direct' } = {}): HiveSyncClient {
    const dir = this.io.env.HIVESYNC_AGENT_DIR;
    const client: HiveSyncClient = new HiveSyncClient({
      baseUrl: this.server,
      accessToken: creds?.access_token ?? null,
      refreshToken: creds?.refresh_token ?? null,
      userAgent: `hivesync-cli/${CLI_VERSION}`,
      client: 'cli',
      mode: options.mode ?? 'auto',
      agent: { dir: dir && path.isAbsolute(dir) ? dir : path.join(this.home, '.hivesync') },
      onTokens: (tokens) => this.storeTokens(tokens),
      refreshLock: (refresh) => this.lockedRefresh(client, refresh),
    });
    return client;
  }

  /** Writes tokens a client got (a refresh, a logout) back to the credentials file. */
  storeTokens(tokens: HiveSyncTokens): Promise<void> {
    return this.store.update(this.server, (current) =>
      tokens.accessToken === null
        ? undefined
        : {
            access_token: tokens.accessToken,
            refresh_token: tokens.refreshToken,
            email: current?.email ?? null,
            user_id: current?.user_id ?? null,
            updated_at: new Date().toISOString(),
          },
    );
  }

  /**
   * Runs a refresh under the credentials lock with the newest stored refresh token: another hivesync process (the
   * agent included) may have rotated it since we read it, and presenting the spent one would end the whole session.
   */
  lockedRefresh(client: HiveSyncClient, refresh: () => Promise<void>): Promise<void> {
    return this.store.withLock(async () => {
      const stored = await this.credentials();
      if (stored?.refresh_token && stored.refresh_token !== client.tokens.refreshToken) {
        client.setTokens({ accessToken: client.tokens.accessToken, refreshToken: stored.refresh_token });
      }
      await refresh();
    });
  }

  /** The user's home directory (HOME of the CLI's environment, else the OS's). */
  get home(): string {
    const home = this.io.env.HOME;
    return home && path.isAbsolute(home) ? home : os.homedir();
  }
}

function resolveServer(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usageError(`--server must be a URL such as ${DEFAULT_SERVER}, not "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw usageError(`--server must be an http or https URL, not "${url}"`);
  }
  return serverKey(url);
}
