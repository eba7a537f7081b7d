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

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', HIVESYNC_PORT: '' }, {}).port).toBe(8080);
  });
});
