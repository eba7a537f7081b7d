import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSecretStore, type KeyringEntry, type KeyringFactory } from './secret-store.js';

const dirs: string[] = [];
const tmp = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-secrets-'));
  dirs.push(dir);
  return path.join(dir, '.hivesync');
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** An in-memory keychain, standing in for the OS one. */
function memoryKeyring(): { factory: KeyringFactory; entries: Map<string, string> } {
  const entries = new Map<string, string>();
  const factory: KeyringFactory = (service, account): KeyringEntry => {
    const key = `${service}/${account}`;
    return {
      getPassword: () => entries.get(key) ?? null,
      setPassword: (p) => void entries.set(key, p),
      deletePassword: () => entries.delete(key),
    };
  };
  return { factory, entries };
}

/** A keychain that answers like a locked Secret Service. */
const deniedKeyring: KeyringFactory = () => ({
  getPassword: () => {
    throw new Error("Couldn't access platform storage: AccessDenied");
  },
  setPassword: () => {
    throw new Error("Couldn't access platform storage: AccessDenied");
  },
  deletePassword: () => false,
});

describe('the secret store', () => {
  it('keeps secrets in the keychain when it answers, and nothing on disk', async () => {
    const dir = tmp();
    const { factory, entries } = memoryKeyring();
    const store = await openSecretStore(dir, factory);
    expect(store.kind).toBe('keychain');
    await store.set('session:http://s', 'secret-refresh');
    expect(await store.get('session:http://s')).toBe('secret-refresh');
    expect([...entries.keys()]).toEqual(['hivesync/session:http://s']);
    expect(fs.existsSync(path.join(dir, 'session.json'))).toBe(false);
    await store.delete('session:http://s');
    expect(await store.get('session:http://s')).toBeNull();
  });

  it('falls back to a 0600 file in a 0700 directory when the keychain refuses, and says why', async () => {
    const dir = tmp();
    const store = await openSecretStore(dir, deniedKeyring);
    expect(store.kind).toBe('file');
    expect(store.fallbackReason).toContain('AccessDenied');
    await store.set('session:http://s', 'secret-refresh');
    const file = path.join(dir, 'session.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(await (await openSecretStore(dir, deniedKeyring)).get('session:http://s')).toBe('secret-refresh');
    await store.delete('session:http://s');
    expect(await store.get('session:http://s')).toBeNull();
    // No temp files left behind by the atomic writes.
    expect(fs.readdirSync(dir)).toEqual(['session.json']);
  });

  it('falls back when the keychain gives back something other than what was stored', async () => {
    const liar: KeyringFactory = () => ({
      getPassword: () => 'other',
      setPassword: () => undefined,
      deletePassword: () => true,
    });
    const store = await openSecretStore(tmp(), liar);
    expect(store.kind).toBe('file');
  });
});
