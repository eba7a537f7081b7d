import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/harness.js';
import { askpassScript } from './mirror.repository.js';
import { pinnedRemoteEnv, RemoteForbidden, RemoteGuard, RemoteUnresolved, remoteEndpoint } from './remote-guard.js';

describe('remoteEndpoint', () => {
  it('reads the host and port git connects to, for every accepted kind of URL', () => {
    expect(remoteEndpoint('https://GitHub.com/o/r.git')).toEqual({ scheme: 'https', host: 'github.com', port: 443 });
    expect(remoteEndpoint('http://127.0.0.1:5432/')).toEqual({ scheme: 'http', host: '127.0.0.1', port: 5432 });
    expect(remoteEndpoint('http://[::1]:6379/')).toEqual({ scheme: 'http', host: '::1', port: 6379 });
    expect(remoteEndpoint('ssh://git@h.test:2222/r.git')).toEqual({ scheme: 'ssh', host: 'h.test', port: 2222 });
    expect(remoteEndpoint('git@10.0.0.1:r.git')).toEqual({ scheme: 'ssh', host: '10.0.0.1', port: 22 });
    expect(remoteEndpoint('git://[fe80::1]/r.git')).toEqual({ scheme: 'git', host: 'fe80::1', port: 9418 });
    expect(remoteEndpoint('/srv/git/r')).toBeUndefined();
    expect(remoteEndpoint('file:///srv/git/r')).toBeUndefined();
  });
});

describe('RemoteGuard', () => {
  const strict = (allowedHosts: string[] = []) => {
    const guard = new RemoteGuard({ allowPrivateNetworks: false, allowedHosts });
    guard.lookup = async (host) => {
      const table: Record<string, string[]> = {
        'public.test': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
        'internal.test': ['10.1.2.3'],
        'mixed.test': ['93.184.216.34', '127.0.0.1'],
        'mapped.test': ['::ffff:169.254.169.254'],
      };
      const found = table[host];
      if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      return found;
    };
    return guard;
  };

  it('refuses loopback, private, link-local, CGNAT, unspecified, multicast and IPv4-mapped forms of them', async () => {
    const guard = strict();
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://127.0.0.1:5432/',
      'http://127.1.2.3/r.git',
      'http://[::1]:6379/',
      'https://10.0.0.8/r.git',
      'https://172.16.5.4/r.git',
      'https://172.31.255.255/r.git',
      'https://192.168.1.10/r.git',
      'https://100.64.0.1/r.git',
      'https://0.0.0.0/r.git',
      'https://224.0.0.1/r.git',
      'https://255.255.255.255/r.git',
      'https://[::]/r.git',
      'https://[fc00::1]/r.git',
      'https://[fd12:3456::1]/r.git',
      'https://[fe80::1]/r.git',
      'https://[ff02::1]/r.git',
      'https://[::ffff:127.0.0.1]/r.git',
      'https://[::ffff:a9fe:a9fe]/r.git',
      'https://[::127.0.0.1]/r.git',
      'ssh://git@192.168.0.2/r.git',
      'git@10.9.8.7:r.git',
      'git://[::1]/r.git',
      // Names that resolve into those ranges, every address counting.
      'https://internal.test/r.git',
      'https://mixed.test/r.git',
      'https://mapped.test/r.git',
    ]) {
      await expect(guard.check(url), url).rejects.toThrow(RemoteForbidden);
    }
    await expect(guard.check('http://127.0.0.1:5432/')).rejects.toThrow(
      /127\.0\.0\.1 is a loopback address;.*HIVESYNC_REPO_ALLOWED_HOSTS/,
    );
    await expect(guard.check('https://internal.test/r.git')).rejects.toThrow(
      /internal\.test resolves to 10\.1\.2\.3, a private address/,
    );
  });

  it('accepts public addresses and says which ones it checked; unknown names are reported as unresolved', async () => {
    const guard = strict();
    expect(await guard.check('https://public.test/r.git')).toEqual({
      endpoint: { scheme: 'https', host: 'public.test', port: 443 },
      addresses: ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
    });
    expect(await guard.check('https://[2606:4700::1111]/r.git')).toMatchObject({ addresses: ['2606:4700::1111'] });
    await expect(guard.check('https://nowhere.test/r.git')).rejects.toThrow(RemoteUnresolved);
    expect(await guard.check('/srv/git/r')).toBeUndefined();
  });

  it('lets an operator allow host names and ranges, and allows everything where private networks are allowed', async () => {
    const guard = strict(['internal.test', '127.0.0.2/32', 'fd00::/8']);
    expect(await guard.check('https://Internal.Test./r.git')).toBeUndefined();
    expect(await guard.check('http://127.0.0.2:8080/r.git')).toMatchObject({ addresses: ['127.0.0.2'] });
    expect(await guard.check('https://[fd00::5]/r.git')).toMatchObject({ addresses: ['fd00::5'] });
    await expect(guard.check('http://127.0.0.1:8080/r.git')).rejects.toThrow(RemoteForbidden);
    const open = new RemoteGuard({ allowPrivateNetworks: true, allowedHosts: [] });
    expect(await open.check('http://127.0.0.1:5432/')).toBeUndefined();
  });

  it('pins HTTP(S) names to the addresses checked, for curl', () => {
    expect(
      pinnedRemoteEnv({
        endpoint: { scheme: 'https', host: 'public.test', port: 443 },
        addresses: ['93.184.216.34', '2606:4700::1111'],
      }),
    ).toEqual({
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.curloptResolve',
      GIT_CONFIG_VALUE_0: 'public.test:443:93.184.216.34,[2606:4700::1111]',
    });
    expect(
      pinnedRemoteEnv({ endpoint: { scheme: 'ssh', host: 'public.test', port: 22 }, addresses: ['93.184.216.34'] }),
    ).toEqual({});
    expect(pinnedRemoteEnv(undefined)).toEqual({});
  });
});

describe('the askpass program of an HTTPS token', () => {
  const dir = tempDir('hivesync-askpass-');
  afterAll(() => dir.remove());

  it('answers only the prompts for the host of the repository URL', () => {
    fs.writeFileSync(path.join(dir.dir, 'username'), 'git');
    fs.writeFileSync(path.join(dir.dir, 'password'), 'the-token');
    const script = path.join(dir.dir, 'askpass');
    fs.writeFileSync(script, askpassScript('http://127.0.0.1:4000/o/r.git', 'git', dir.dir), { mode: 0o700 });
    const ask = (prompt: string) => {
      try {
        return execFileSync(script, [prompt], { encoding: 'utf8' });
      } catch (err) {
        return `exit ${(err as { status: number }).status}`;
      }
    };
    expect(ask("Username for 'http://127.0.0.1:4000': ")).toBe('git');
    expect(ask("Password for 'http://git@127.0.0.1:4000': ")).toBe('the-token');
    for (const prompt of [
      "Username for 'http://localhost:4000': ",
      "Password for 'http://git@localhost:4000': ",
      "Password for 'http://git@127.0.0.1:4001': ",
      "Password for 'https://git@127.0.0.1:4000': ",
      "Password for 'http://other@127.0.0.1:4000': ",
      'Password: ',
    ]) {
      expect(ask(prompt), prompt).toBe('exit 1');
    }
  });
});
