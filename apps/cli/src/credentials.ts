import { AsyncLocalStorage } from 'node:async_hooks';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** What the CLI keeps for one server. */
export interface ServerCredentials {
  access_token: string;
  refresh_token: string | null;
  email: string | null;
  user_id: string | null;
  updated_at: string;
}

/** The credentials file: one entry per server URL, so several servers can be logged into at once. */
export interface CredentialsFile {
  version: 1;
  servers: Record<string, ServerCredentials>;
}

const LOCK_STALE_MS = 30_000;
const LOCK_TIMEOUT_MS = 10_000;

/** `$XDG_CONFIG_HOME/hivesync/credentials.json`, with XDG_CONFIG_HOME defaulting to ~/.config. */
export function credentialsPath(env: NodeJS.ProcessEnv, home = os.homedir()): string {
  const base =
    env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(home, '.config');
  return path.join(base, 'hivesync', 'credentials.json');
}

/** The key a server is stored under: its URL without a trailing slash, scheme and host lower-cased. */
export function serverKey(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
}

/**
 * The credentials file (mode 0600 in a 0700 directory), written atomically (temp file + rename). Every change takes
 * a lock file, so CLI processes running side by side (an editor plugin may start several) never lose a write or
 * present the same refresh token twice.
 */
export class CredentialStore {
  private readonly held = new AsyncLocalStorage<true>();

  constructor(readonly file: string) {}

  /** The credentials stored for a server, if any. */
  async get(server: string): Promise<ServerCredentials | undefined> {
    return (await this.read()).servers[serverKey(server)];
  }

  /** Replaces (or, with undefined, removes) the credentials of a server. */
  async set(server: string, credentials: ServerCredentials | undefined): Promise<void> {
    await this.update(server, () => credentials);
  }

  /** Changes the credentials of a server under the lock; returning undefined removes them. */
  async update(
    server: string,
    change: (current: ServerCredentials | undefined) => ServerCredentials | undefined,
  ): Promise<void> {
    await this.withLock(async () => {
      const data = await this.read();
      const key = serverKey(server);
      const next = change(data.servers[key]);
      if (next) data.servers[key] = next;
      else delete data.servers[key];
      await this.write(data);
    });
  }

  /** Runs `fn` holding the lock file; calls from inside `fn` (in the same async flow) do not wait for it again. */
  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    if (this.held.getStore()) return fn();
    await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const lock = `${this.file}.lock`;
    const deadline = Date.now() + LOCK_TIMEOUT_MS;
    for (;;) {
      try {
        await (await fs.open(lock, 'wx', 0o600)).close();
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const stat = await fs.stat(lock).catch(() => undefined);
        // A lock left behind by a process that died is broken after a while.
        if (stat && Date.now() - stat.mtimeMs > LOCK_STALE_MS) await fs.rm(lock, { force: true });
        else if (Date.now() > deadline) throw new Error(`${lock} is held by another hivesync process`);
        else await new Promise((r) => setTimeout(r, 20 + Math.random() * 30));
      }
    }
    try {
      return await this.held.run(true, fn);
    } finally {
      await fs.rm(lock, { force: true });
    }
  }

  /** The whole file; a missing or unreadable one reads as empty. */
  async read(): Promise<CredentialsFile> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return empty();
      throw err;
    }
    try {
      const parsed = JSON.parse(text) as Partial<CredentialsFile>;
      if (parsed.version === 1 && typeof parsed.servers === 'object' && parsed.servers !== null) {
        return { version: 1, servers: parsed.servers };
      }
    } catch {
      // A corrupt file is replaced by the next login.
    }
    return empty();
  }

  private async write(data: CredentialsFile): Promise<void> {
    const dir = path.dirname(this.file);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    await fs.chmod(dir, 0o700);
    const tmp = `${this.file}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`;
    const handle = await fs.open(tmp, 'wx', 0o600);
    try {
      await handle.chmod(0o600); // in case the umask took bits away
      await handle.writeFile(`${JSON.stringify(data, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fs.rename(tmp, this.file);
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw err;
    }
  }
}

function empty(): CredentialsFile {
  return { version: 1, servers: {} };
}
