import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** The keychain service name the agent's secrets are kept under. */
export const KEYRING_SERVICE = 'hivesync';

/** Where the agent keeps the user's refresh token: the OS keychain, or a 0600 file when no keychain answered. */
export interface SecretStore {
  readonly kind: 'keychain' | 'file';
  /** Where, in words (for the start-up line and `hivesync agent status`). */
  readonly where: string;
  /** Why the keychain was not used, when kind is `file`. */
  readonly fallbackReason?: string;
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<void>;
}

/** The part of @napi-rs/keyring's `Entry` the agent uses; injectable so both paths are tested on any machine. */
export interface KeyringEntry {
  getPassword(): string | null | undefined;
  setPassword(password: string): void;
  deletePassword(): boolean;
}

/** Makes the keyring entry of (service, account). */
export type KeyringFactory = (service: string, account: string) => KeyringEntry;

/** The OS keychain (macOS Keychain, Windows Credential Manager, the Secret Service on Linux) via @napi-rs/keyring. */
export async function nativeKeyring(): Promise<KeyringFactory> {
  const { Entry } = await import('@napi-rs/keyring');
  return (service, account) => new Entry(service, account);
}

/**
 * The keychain when it answers a read and a write of a probe entry, else the file `dir/session.json` (0600 in a
 * 0700 directory), with the keychain's error as the reason. A locked or absent Secret Service (a server, CI, a
 * container) answers with an error such as `AccessDenied`: the agent then still works, and says so at start.
 */
export async function openSecretStore(dir: string, keyring?: KeyringFactory): Promise<SecretStore> {
  let reason: string;
  try {
    const factory = keyring ?? (await nativeKeyring());
    const probe = factory(KEYRING_SERVICE, 'agent-probe');
    const value = crypto.randomBytes(8).toString('hex');
    probe.setPassword(value);
    const back = probe.getPassword();
    probe.deletePassword();
    if (back !== value) throw new Error('the keychain did not give back what was stored');
    return new KeychainStore(factory);
  } catch (err) {
    reason = err instanceof Error ? err.message : String(err);
  }
  return new FileSecretStore(path.join(dir, 'session.json'), reason);
}

class KeychainStore implements SecretStore {
  readonly kind = 'keychain';
  readonly where = `the OS keychain (service "${KEYRING_SERVICE}")`;

  constructor(private readonly factory: KeyringFactory) {}

  async get(account: string): Promise<string | null> {
    return this.factory(KEYRING_SERVICE, account).getPassword() ?? null;
  }

  async set(account: string, secret: string): Promise<void> {
    this.factory(KEYRING_SERVICE, account).setPassword(secret);
  }

  async delete(account: string): Promise<void> {
    try {
      this.factory(KEYRING_SERVICE, account).deletePassword();
    } catch {
      // nothing stored
    }
  }
}

/** Secrets in one JSON file, mode 0600 in a 0700 directory, written atomically. */
export class FileSecretStore implements SecretStore {
  readonly kind = 'file';
  readonly where: string;

  constructor(
    readonly file: string,
    readonly fallbackReason?: string,
  ) {
    this.where = `the file ${file} (mode 0600)`;
  }

  async get(account: string): Promise<string | null> {
    return (await this.read())[account] ?? null;
  }

  async set(account: string, secret: string): Promise<void> {
    const data = await this.read();
    data[account] = secret;
    await writePrivateFile(this.file, `${JSON.stringify(data, null, 2)}\n`);
  }

  async delete(account: string): Promise<void> {
    const data = await this.read();
    if (!(account in data)) return;
    delete data[account];
    await writePrivateFile(this.file, `${JSON.stringify(data, null, 2)}\n`);
  }

  private async read(): Promise<Record<string, string>> {
    try {
      const parsed: unknown = JSON.parse(await fs.readFile(this.file, 'utf8'));
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, string>) : {};
    } catch {
      return {};
    }
  }
}

/**
 * Writes a file only its owner can read (0600, in a 0700 directory), atomically: a temp file in the same directory,
 * synced, then renamed over the target, so a reader never sees half a file.
 */
export async function writePrivateFile(file: string, text: string): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  await fs.chmod(dir, 0o700);
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  const handle = await fs.open(tmp, 'wx', 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}
