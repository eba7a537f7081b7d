import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('runs on the embedded defaults with nothing set', () => {
    const config = loadConfig({}, {});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 8080, role: 'all', database: { url: undefined } });
    expect(config.dataDir).toMatch(/\.hivesync$/);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reports every bad variable at once, by name', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig(
        { HIVESYNC_PORT: 'eighty', HIVESYNC_ROLE: 'both', DATABASE_URL: 'mysql://x', HIVESYNC_JWT_SECRET: 'short' },
        {},
      );
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const names = error!.problems.map((p) => p.split(':')[0]);
    expect(names).toEqual(
      expect.arrayContaining(['HIVESYNC_PORT', 'HIVESYNC_ROLE', 'DATABASE_URL', 'HIVESYNC_JWT_SECRET']),
    );
    // Values of secret-bearing variables are never echoed.
    expect(error!.message).not.toContain('mysql://x');
    expect(error!.message).not.toContain('short"');
  });

  it('needs PostgreSQL for separate API and worker processes, and a shared secret for API instances', () => {
    expect(() => loadConfig({ HIVESYNC_ROLE: 'worker' }, {})).toThrow(/HIVESYNC_ROLE: "worker" needs DATABASE_URL/);
    expect(() => loadConfig({ HIVESYNC_ROLE: 'api', DATABASE_URL: 'postgres://h/db' }, {})).toThrow(
      /HIVESYNC_JWT_SECRET/,
    );
  });

  it('allows local repositories by default only on an embedded server bound to loopback', () => {
    expect(loadConfig({}, {}).repos.allowLocal).toBe(true);
    expect(loadConfig({ HIVESYNC_HOST: '::1' }, {}).repos.allowLocal).toBe(true);
    expect(loadConfig({ HIVESYNC_HOST: '0.0.0.0' }, {}).repos.allowLocal).toBe(false);
    expect(loadConfig({ HIVESYNC_HOST: '192.168.1.20' }, {}).repos.allowLocal).toBe(false);
    expect(
      loadConfig({ DATABASE_URL: 'postgres://h/db', HIVESYNC_JWT_SECRET: 'x'.repeat(40) }, {}).repos.allowLocal,
    ).toBe(false);
    expect(loadConfig({ HIVESYNC_HOST: '0.0.0.0', HIVESYNC_ALLOW_LOCAL_REPOS: 'true' }, {}).repos.allowLocal).toBe(
      true,
    );
    expect(loadConfig({ HIVESYNC_ALLOW_LOCAL_REPOS: 'false' }, {}).repos.allowLocal).toBe(false);
  });

  it('lets syncs reach internal networks by default only on an embedded server bound to loopback', () => {
    expect(loadConfig({}, {}).repos.allowPrivateNetworks).toBe(true);
    expect(loadConfig({ HIVESYNC_HOST: '0.0.0.0' }, {}).repos.allowPrivateNetworks).toBe(false);
    const withPostgres = { DATABASE_URL: 'postgres://h/db', HIVESYNC_JWT_SECRET: 'x'.repeat(40) };
    expect(loadConfig(withPostgres, {}).repos.allowPrivateNetworks).toBe(false);
    expect(loadConfig({ ...withPostgres, HIVESYNC_ALLOW_PRIVATE_REMOTES: 'true' }, {}).repos.allowPrivateNetworks).toBe(
      true,
    );
    expect(loadConfig({ HIVESYNC_ALLOW_PRIVATE_REMOTES: 'false' }, {}).repos.allowPrivateNetworks).toBe(false);
    expect(
      loadConfig({ HIVESYNC_REPO_ALLOWED_HOSTS: ' Git.Corp.Example , 10.0.0.0/8,fd00::/8, 192.168.1.5' }, {}).repos
        .allowedHosts,
    ).toEqual(['git.corp.example', '10.0.0.0/8', 'fd00::/8', '192.168.1.5']);
    expect(() => loadConfig({ HIVESYNC_REPO_ALLOWED_HOSTS: 'ok.example,10.0.0.0/33,bad host' }, {})).toThrow(
      /HIVESYNC_REPO_ALLOWED_HOSTS: must be a comma-separated list of host names, IP addresses or CIDRs.*"10\.0\.0\.0\/33", "bad host"/,
    );
  });

  it('trusts X-Forwarded-For only from listed proxies, and refuses the old trust-everyone "true"', () => {
    expect(loadConfig({}, {}).trustProxy).toEqual([]);
    expect(loadConfig({ HIVESYNC_TRUST_PROXY: 'false' }, {}).trustProxy).toEqual([]);
    expect(loadConfig({ HIVESYNC_TRUST_PROXY: '127.0.0.1, ::1,172.18.0.0/16,uniquelocal' }, {}).trustProxy).toEqual([
      '127.0.0.1',
      '::1',
      '172.18.0.0/16',
      'uniquelocal',
    ]);
    expect(() => loadConfig({ HIVESYNC_TRUST_PROXY: 'true' }, {})).toThrow(
      /HIVESYNC_TRUST_PROXY: "true" is no longer accepted.*List the addresses or CIDRs of your reverse proxies/,
    );
    expect(() => loadConfig({ HIVESYNC_TRUST_PROXY: '10.0.0.0/33,proxy.local' }, {})).toThrow(
      /HIVESYNC_TRUST_PROXY: must be "false" or a comma-separated list .*not "10.0.0.0\/33", "proxy.local"/,
    );
  });

  it('keeps read notifications 90 days by default, or a positive number of days', () => {
    expect(loadConfig({}, {}).notificationRetentionDays).toBe(90);
    expect(loadConfig({ HIVESYNC_NOTIFICATION_RETENTION_DAYS: '7' }, {}).notificationRetentionDays).toBe(7);
    for (const bad of ['0', '-1', 'never'])
      expect(() => loadConfig({ HIVESYNC_NOTIFICATION_RETENTION_DAYS: bad }, {}), bad).toThrow(
        /HIVESYNC_NOTIFICATION_RETENTION_DAYS/,
      );
  });

  it('sweeps abandoned preview uploads after an hour by default, or a positive number of minutes', () => {
    expect(loadConfig({}, {}).previews.uploadSweepMinutes).toBe(60);
    expect(loadConfig({ HIVESYNC_PREVIEW_UPLOAD_SWEEP_MINUTES: '0.5' }, {}).previews.uploadSweepMinutes).toBe(0.5);
    for (const bad of ['0', '-1', 'soon'])
      expect(() => loadConfig({ HIVESYNC_PREVIEW_UPLOAD_SWEEP_MINUTES: bad }, {}), bad).toThrow(
        /HIVESYNC_PREVIEW_UPLOAD_SWEEP_MINUTES/,
      );
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', HIVESYNC_PORT: '' }, {}).port).toBe(8080);
  });
});
