import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SAFE_STORAGE_FILE, SafeStorageSecretStore } from './keychain.js';
import { standInSafeStorage } from './test/electron-stand-in.js';

const dirs: string[] = [];
const tmp = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-desktop-keychain-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('the agent’s secret store on safeStorage', () => {
  it('keeps secrets sealed: the file holds ciphertext only, mode 0600, and reads them back', async () => {
    const dir = tmp();
    const safe = standInSafeStorage();
    const store = SafeStorageSecretStore.open(safe, dir, 'linux');
    if ('problem' in store) throw new Error(store.problem);
    expect(store.kind).toBe('keychain');
    const secret = JSON.stringify({ refresh_token: 'rt-very-secret-value', user_id: 'u1' });
    await store.set('session:http://127.0.0.1:8080', secret);
    const file = path.join(dir, SAFE_STORAGE_FILE);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain('rt-very-secret-value');
    expect(JSON.parse(text)['session:http://127.0.0.1:8080']).toBe(safe.sealed[0]!.toString('base64'));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(await store.get('session:http://127.0.0.1:8080')).toBe(secret);
    expect(await store.get('session:http://other')).toBeNull();
  });

  it('deletes one account and leaves the others', async () => {
    const store = SafeStorageSecretStore.open(standInSafeStorage(), tmp(), 'darwin') as SafeStorageSecretStore;
    await store.set('a', 'one');
    await store.set('b', 'two');
    await store.delete('a');
    await store.delete('never stored');
    expect(await store.get('a')).toBeNull();
    expect(await store.get('b')).toBe('two');
  });

  it('treats a secret sealed by another keychain as absent, and a damaged file as empty', async () => {
    const dir = tmp();
    const mine = SafeStorageSecretStore.open(standInSafeStorage({ key: 1 }), dir, 'win32') as SafeStorageSecretStore;
    await mine.set('a', 'one');
    const theirs = SafeStorageSecretStore.open(standInSafeStorage({ key: 2 }), dir, 'win32') as SafeStorageSecretStore;
    expect(await theirs.get('a')).toBeNull();
    fs.writeFileSync(path.join(dir, SAFE_STORAGE_FILE), '{not json');
    expect(await mine.get('a')).toBeNull();
  });

  it('refuses to stand in for a keychain when safeStorage cannot protect anything', () => {
    expect(SafeStorageSecretStore.open(standInSafeStorage({ available: false }), tmp(), 'darwin')).toEqual({
      problem: 'Electron safeStorage has no encryption available here',
    });
    // Linux without a Secret Service or KWallet: Chromium's fixed key is no protection.
    expect(SafeStorageSecretStore.open(standInSafeStorage({ backend: 'basic_text' }), tmp(), 'linux')).toEqual({
      problem: 'no OS keyring answers (Electron safeStorage backend "basic_text")',
    });
    expect('problem' in SafeStorageSecretStore.open(standInSafeStorage({ backend: 'kwallet5' }), tmp(), 'linux')).toBe(
      false,
    );
  });
});
