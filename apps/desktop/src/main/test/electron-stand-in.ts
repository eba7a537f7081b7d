import type { SafeStorageLike } from '../keychain.js';
import type { NotifierDeps } from '../notifications.js';

/**
 * A small stand-in for the parts of `electron` the main process's logic uses, for unit tests of that logic only (the
 * Electron binary cannot run here). safeStorage "encrypts" with a XOR of a per-instance key, so that ciphertext is
 * never the plain text and another instance (another keychain) cannot read it back.
 */
export function standInSafeStorage(
  options: { available?: boolean; backend?: string; key?: number } = {},
): SafeStorageLike & { sealed: Buffer[] } {
  const key = options.key ?? 0x5a;
  const sealed: Buffer[] = [];
  return {
    sealed,
    isEncryptionAvailable: () => options.available ?? true,
    getSelectedStorageBackend: () => options.backend ?? 'gnome_libsecret',
    encryptString: (plain) => {
      const out = Buffer.concat([Buffer.from([key]), Buffer.from(plain, 'utf8').map((b) => b ^ key)]);
      sealed.push(out);
      return out;
    },
    decryptString: (encrypted) => {
      if (encrypted[0] !== key)
        throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return Buffer.from(encrypted.subarray(1).map((b) => b ^ key)).toString('utf8');
    },
  };
}

/** Electron's Notification and the window, recording what was shown, focused and opened. */
export function standInNotifier(supported = true): NotifierDeps & {
  shown: { title: string; body: string; click: () => void }[];
  events: string[];
} {
  const shown: { title: string; body: string; click: () => void }[] = [];
  const events: string[] = [];
  return {
    shown,
    events,
    supported: () => supported,
    show: (options, onClick) => shown.push({ ...options, click: onClick }),
    focusWindow: () => events.push('focus'),
    navigate: (hash) => events.push(`navigate ${hash}`),
  };
}
