import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, eventually, registerUser, startTestServer, type TestServer } from '../test/harness.js';
import { hostPort, startTcpProxy, viaPort } from '../test/tcp-proxy.js';

const external = backends().find((b) => b.name === 'postgres+redis');

describe.runIf(external)('degrade, don’t die', () => {
  describe('Redis goes away', () => {
    let server: TestServer;
    let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
    beforeAll(async () => {
      const { env } = await external!.provision();
      proxy = await startTcpProxy(hostPort(env.REDIS_URL!));
      server = await startTestServer(external!, {
        REDIS_URL: viaPort(env.REDIS_URL!, proxy.port),
        HIVESYNC_LOGIN_LIMIT_PER_IP: '1000',
      });
    });
    afterAll(async () => {
      await server?.stop();
      await proxy?.close();
    });

    it('keeps serving (rate limits in memory), says degraded, and recovers when Redis returns', async () => {
      const u = await registerUser(server);
      expect((await server.request({ method: 'GET', url: '/health/deep' })).json().checks.redis.status).toBe('ok');
      proxy.down();
      const deep = await eventually(async () => {
        const res = await server.request({ method: 'GET', url: '/health/deep' });
        return res.json().status === 'degraded' && res;
      });
      expect(deep.statusCode).toBe(200);
      expect(deep.json().checks.redis.status).toBe('degraded');
      // Everything a user does still works.
      const login = await server.request({
        method: 'POST',
        url: '/api/v1/auth/login',
        body: { email: u.email, password: u.password },
      });
      expect(login.statusCode).toBe(200);
      expect(
        (await server.request({ method: 'POST', url: '/api/v1/projects', token: u.token, body: { name: 'offline' } }))
          .statusCode,
      ).toBe(201);
      expect((await server.request({ method: 'GET', url: '/api/v1/notifications', token: u.token })).statusCode).toBe(
        200,
      );
      // Rate limiting still holds while Redis is down (in memory).
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        statuses.push(
          (
            await server.request({
              method: 'POST',
              url: '/api/v1/auth/login',
              body: { email: u.email, password: 'wrong password!' },
            })
          ).statusCode,
        );
      }
      expect(statuses).toContain(429);

      proxy.up();
      await eventually(
        async () => (await server.request({ method: 'GET', url: '/health/deep' })).json().status === 'ok',
        30_000,
      );
    });
  });

  describe('PostgreSQL restarts', () => {
    let server: TestServer;
    let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
    beforeAll(async () => {
      const { env, cleanup } = await external!.provision();
      proxy = await startTcpProxy(hostPort(env.DATABASE_URL!));
      const viaProxy = {
        ...external!,
        provision: async () => ({ env: { ...env, DATABASE_URL: viaPort(env.DATABASE_URL!, proxy.port) }, cleanup }),
      };
      server = await startTestServer(viaProxy);
    });
    afterAll(async () => {
      await server?.stop();
      await proxy?.close();
    });

    it('answers 503 while the database is away and reconnects without a restart', async () => {
      const u = await registerUser(server);
      proxy.down();
      const during = await server.request({ method: 'GET', url: '/api/v1/projects', token: u.token });
      expect(during.statusCode).toBe(503);
      expect(during.json().error).toMatchObject({ code: 'service_unavailable', retryable: true });
      expect((await server.request({ method: 'GET', url: '/health/deep' })).statusCode).toBe(503);
      proxy.up();
      const after = await eventually(async () => {
        const res = await server.request({ method: 'GET', url: '/api/v1/projects', token: u.token });
        return res.statusCode === 200 && res;
      }, 30_000);
      expect(after.json().projects).toEqual([]);
      // Jobs flow again too.
      const canary = await server.request({
        method: 'POST',
        url: '/api/v1/admin/canary',
        token: server.admin.token,
        body: {},
      });
      expect(canary.statusCode).toBe(202);
      await eventually(async () => {
        const c = await server.request({
          method: 'GET',
          url: `/api/v1/admin/canary/${canary.json().canary_id}`,
          token: server.admin.token,
        });
        return c.json().status === 'completed';
      }, 30_000);
    });
  });
});
