import crypto from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { createLogger } from '../../infra/logger.js';
import { startRuntime, type Runtime } from '../../runtime.js';
import { backends, eventually, TEST_DEFAULTS, tempDir } from '../../test/harness.js';

const external = backends().find((b) => b.name === 'postgres+redis');

describe.runIf(external)('two API instances on one PostgreSQL and Redis', () => {
  const runtimes: Runtime[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const r of runtimes) await r.stop();
    for (const c of cleanups.reverse()) await c();
  });

  it('refuses a disabled user on both instances within a second, and a demoted admin on both at once', async () => {
    const { env, cleanup } = await external!.provision();
    cleanups.push(cleanup);
    const shared = {
      ...TEST_DEFAULTS,
      ...env,
      HIVESYNC_ROLE: 'api',
      HIVESYNC_JWT_SECRET: crypto.randomBytes(32).toString('hex'),
      HIVESYNC_SECRETS_KEY: crypto.randomBytes(32).toString('hex'),
    };
    for (let i = 0; i < 2; i++) {
      const dir = tempDir();
      cleanups.push(() => dir.remove());
      const config = loadConfig({ ...shared, HIVESYNC_DATA_DIR: dir.dir }, {});
      runtimes.push(await startRuntime(config, { logger: createLogger('silent'), listen: false }));
    }
    const caller =
      (r: Runtime) =>
      (method: 'GET' | 'POST' | 'PATCH', url: string, token?: string, body?: object): Promise<LightMyRequestResponse> =>
        r.app!.inject({
          method,
          url: `/api/v1${url}`,
          headers: token ? { authorization: `Bearer ${token}` } : {},
          ...(body && { payload: body }),
        });
    const a = caller(runtimes[0]!);
    const b = caller(runtimes[1]!);
    const register = async (email: string) =>
      (await a('POST', '/auth/register', undefined, { email, password: 'two instances, one truth' })).json<{
        access_token: string;
        user: { id: string };
      }>();
    const admin = await register('first-admin@example.test');
    const second = await register('second-admin@example.test');
    const user = await register('someone@example.test');

    // Both instances have seen the user's session open (and remember it for a few seconds).
    expect((await a('GET', '/auth/me', user.access_token)).statusCode).toBe(200);
    expect((await b('GET', '/auth/me', user.access_token)).statusCode).toBe(200);

    expect((await a('PATCH', `/admin/users/${user.user.id}`, admin.access_token, { disabled: true })).statusCode).toBe(
      200,
    );
    await eventually(
      async () =>
        (await a('GET', '/auth/me', user.access_token)).statusCode === 401 &&
        (await b('GET', '/auth/me', user.access_token)).statusCode === 401,
      1000,
      20,
    );

    // A second admin, promoted on A, is an admin on B with the token they already hold; demoted, on neither.
    expect((await b('GET', '/admin/workers', second.access_token)).statusCode).toBe(404);
    expect((await a('PATCH', `/admin/users/${second.user.id}`, admin.access_token, { role: 'admin' })).statusCode).toBe(
      200,
    );
    await eventually(async () => (await b('GET', '/admin/workers', second.access_token)).statusCode === 200, 1000, 20);
    expect((await b('PATCH', `/admin/users/${second.user.id}`, admin.access_token, { role: 'user' })).statusCode).toBe(
      200,
    );
    await eventually(
      async () =>
        (await a('GET', '/admin/workers', second.access_token)).statusCode === 404 &&
        (await b('GET', '/admin/workers', second.access_token)).statusCode === 404,
      1000,
      20,
    );
  });
});
