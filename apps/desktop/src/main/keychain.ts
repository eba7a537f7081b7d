import fs from 'node:fs/promises';
import path from 'node:path';
import { writePrivateFile, type SecretStore } from '@hivesync/agent';

/** The part of Electron's `safeStorage` the desktop app uses (a stand-in in tests). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: which keyring holds the key; `basic_text` means a fixed key, i.e. no protection. */
  getSelectedStorageBackend?(): string;
}

/** The file the encrypted secrets are kept in, in the agent directory (0600 there, like every agent file). */
export const SAFE_STORAGE_FILE = 'desktop-secrets.json';

/** Why safeStorage cannot protect a secret on this machine, or null when it can. */
export function safeStorageProblem(safe: SafeStorageLike, platform: NodeJS.Platform): string | null {
  if (!safe.isEncryptionAvailable()) return 'Electron safeStorage has no encryption available here';
  if (platform === 'linux') {
    const backend = safe.getSelectedStorageBackend?.() ?? 'unknown';
    // Without a Secret Service or KWallet, Chromium encrypts with a key written in its own source: not a secret.
    if (backend === 'basic_text' || backend === 'unknown') {
      return `no OS keyring answers (Electron safeStorage backend "${backend}")`;
    }
  }
  return null;
}

/**
 * The agent's secret store on Electron's `safeStorage`: each secret is encrypted with the key the OS keychain holds
 * (macOS Keychain, Windows DPAPI, the Secret Service or KWallet on Linux) and only the ciphertext is written, base64,
 * to a 0600 file written atomically. A secret never touches the disk in clear.
 */
export class SafeStorageSecretStore implements SecretStore {
  readonly kind = 'keychain';
  readonly where: string;

  constructor(
    private readonly safe: SafeStorageLike,
    readonly file: string,
  ) {
    this.where = `the OS keychain (through Electron safeStorage; ciphertext in ${file})`;
  }

  /** The store in `dir`, or the reason safeStorage cannot be used here (the caller then falls back). */
  static open(
    safe: SafeStorageLike,
    dir: string,
    platform: NodeJS.Platform = process.platform,
  ): SafeStorageSecretStore | { problem: string } {
    const problem = safeStorageProblem(safe, platform);
    return problem ? { problem } : new SafeStorageSecretStore(safe, path.join(dir, SAFE_STORAGE_FILE));
  }

  async get(account: string): Promise<string | null> {
    const sealed = (await this.read())[account];
    if (sealed === undefined) return null;
    try {
      return this.safe.decryptString(Buffer.from(sealed, 'base64'));
    } catch {
      // Sealed with another key (the keychain was reset, or the file came from another machine): as if absent.
      return null;
    }
  }

  async set(account: string, secret: string): Promise<void> {
    const data = await this.read();
    data[account] = this.safe.encryptString(secret).toString('base64');
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
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
      return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
    } catch {
      return {};
    }
  }
}
