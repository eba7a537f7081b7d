import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialStore, credentialsPath, serverKey, type ServerCredentials } from './credentials.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hivesync-cli-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const creds = (token: string): ServerCredentials => ({
  access_token: `a-${token}`,
  refresh_token: `r-${token}`,
  email: `${token}@example.com`,
  user_id: token,
  updated_at: '2025-01-01T00:00:00.000Z',
});

describe('credentialsPath', () => {
  it('lives under $XDG_CONFIG_HOME/hivesync, or ~/.config/hivesync', () => {
    expect(credentialsPath({ XDG_CONFIG_HOME: '/x/config' }, '/home/u')).toBe('/x/config/hivesync/credentials.json');
    expect(credentialsPath({}, '/home/u')).toBe('/home/u/.config/hivesync/credentials.json');
    // The XDG spec says a relative value is invalid and must be ignored.
    expect(credentialsPath({ XDG_CONFIG_HOME: 'rel' }, '/home/u')).toBe('/home/u/.config/hivesync/credentials.json');
  });
});

describe('CredentialStore', () => {
  it('writes the file with mode 0600 in a directory with mode 0700', async () => {
    const store = new CredentialStore(credentialsPath({ XDG_CONFIG_HOME: dir }));
    await store.set('http://127.0.0.1:8080', creds('alice'));

    expect((await fs.stat(store.file)).mode & 0o777).toBe(0o600);
    expect((await fs.stat(path.dirname(store.file))).mode & 0o777).toBe(0o700);
  });

  it('tightens a directory that already exists with looser permissions', async () => {
    const file = path.join(dir, 'hivesync', 'credentials.json');
    await fs.mkdir(path.dirname(file), { mode: 0o755 });
    await fs.chmod(path.dirname(file), 0o755);
    await new CredentialStore(file).set('http://a', creds('alice'));

    expect((await fs.stat(path.dirname(file))).mode & 0o777).toBe(0o700);
  });

  it('keeps one entry per server, so two servers can be logged into', async () => {
    const store = new CredentialStore(path.join(dir, 'hivesync', 'credentials.json'));
    await store.set('http://127.0.0.1:8080', creds('alice'));
    await store.set('https://hive.example.com/', creds('bob'));

    expect(await store.get('http://127.0.0.1:8080/')).toEqual(creds('alice'));
    expect(await store.get('https://HIVE.example.com')).toEqual(creds('bob'));

    await store.set('http://127.0.0.1:8080', undefined);
    expect(await store.get('http://127.0.0.1:8080')).toBeUndefined();
    expect(await store.get('https://hive.example.com')).toEqual(creds('bob'));
    expect(JSON.parse(await fs.readFile(store.file, 'utf8'))).toEqual({
      version: 1,
      servers: { 'https://hive.example.com': creds('bob') },
    });
  });

  it('replaces the file atomically and leaves no temp or lock file behind', async () => {
    const store = new CredentialStore(path.join(dir, 'hivesync', 'credentials.json'));
    await store.set('http://a', creds('alice'));
    const before = await fs.stat(store.file);
    await store.set('http://a', creds('alice2'));

    expect((await fs.stat(store.file)).ino).not.toBe(before.ino); // a new file renamed over the old one
    expect(await fs.readdir(path.dirname(store.file))).toEqual(['credentials.json']);
  });

  it('loses no write when several processes update it at once', async () => {
    const file = path.join(dir, 'hivesync', 'credentials.json');
    // Separate instances stand for separate processes: only the lock file coordinates them.
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => new CredentialStore(file).set(`http://server-${i}`, creds(`u${i}`))),
    );

    const { servers } = await new CredentialStore(file).read();
    expect(Object.keys(servers).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `http://server-${i}`));
  });

  it('reads a missing or corrupt file as empty', async () => {
    const store = new CredentialStore(path.join(dir, 'hivesync', 'credentials.json'));
    expect(await store.get('http://a')).toBeUndefined();
    await fs.mkdir(path.dirname(store.file), { recursive: true });
    await fs.writeFile(store.file, '{not json');
    expect(await store.read()).toEqual({ version: 1, servers: {} });
  });
});

describe('serverKey', () => {
  it('normalizes the scheme, host and trailing slashes', () => {
    expect(serverKey('HTTP://Example.COM:8080/')).toBe('http://example.com:8080');
    expect(serverKey('https://example.com/hive//')).toBe('https://example.com/hive');
    expect(serverKey('http://example.com:80')).toBe('http://example.com');
  });
});
