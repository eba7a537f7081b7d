import { load } from '../lib/http-load.js';
import { call, startHiveSync, startProcess } from '../lib/processes.js';
import type { Figure, Suite } from '../lib/report.js';

const CONNECTIONS = 64;

/**
 * Authenticated notification polling, the request every client sends most: the 200 path (a page of 20) and the
 * 304 path (If-None-Match with the current ETag), each against a bare Fastify route in the same run.
 */
export const notificationPolling: Suite = {
  name: 'notification polling',
  async run({ seconds, env, label }): Promise<Figure[]> {
    const bare = await startProcess(['--import', 'tsx', 'bench/bare-server.ts'], {}, /^url: (http:\/\/\S+)$/m);
    const hive = await startHiveSync(env);
    try {
      const reg = await call(`${hive.url}/api/v1/auth/register`, 'POST', {
        email: 'bench@example.test',
        password: 'bench password',
      });
      const token = ((await reg.json()) as { access_token: string }).access_token;
      // Twenty notifications, made the way features make them: a maintenance broadcast per notification.
      for (let i = 0; i < 20; i++) {
        await call(`${hive.url}/api/v1/admin/broadcast`, 'POST', { message: `maintenance window ${i}` }, token);
      }
      const pollUrl = `${hive.url}/api/v1/notifications`;
      const first = await call(pollUrl, 'GET', undefined, token);
      const etag = first.headers.get('etag')!;
      const auth = { authorization: `Bearer ${token}` };

      const warm = Math.max(1, Math.round(seconds / 5));
      await load({ url: `${bare.value}/bare`, connections: CONNECTIONS, seconds: warm, expectStatus: 200 });
      await load({ url: pollUrl, headers: auth, connections: CONNECTIONS, seconds: warm, expectStatus: 200 });

      const baseline = await load({ url: `${bare.value}/bare`, connections: CONNECTIONS, seconds, expectStatus: 200 });
      const ok = await load({ url: pollUrl, headers: auth, connections: CONNECTIONS, seconds, expectStatus: 200 });
      const notModified = await load({
        url: pollUrl,
        headers: { ...auth, 'if-none-match': etag },
        connections: CONNECTIONS,
        seconds,
        expectStatus: 304,
      });
      for (const [name, r] of Object.entries({ baseline, ok, notModified })) {
        if (r.errors > 0 || r.unexpected > 0)
          throw new Error(`${name}: ${r.errors} errors, ${r.unexpected} unexpected statuses`);
      }
      const row = (name: string, r: typeof ok, goal: string, met: boolean | undefined): Figure => ({
        suite: 'notification polling',
        name: `${name} (${label})`,
        value: `${Math.round(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms`,
        baseline: `bare Fastify route: ${Math.round(baseline.rps)} req/s, p99 ${baseline.p99} ms`,
        ratio: r.rps / baseline.rps,
        goal,
        met,
      });
      return [
        row(
          'poll answered 304 (unchanged)',
          notModified,
          '≥ 0.50 of bare, p99 < 20 ms at 64 connections',
          notModified.rps / baseline.rps >= 0.5 && notModified.p99 < 20,
        ),
        row('poll answered 200 (page of 20)', ok, 'none set; for comparison', undefined),
      ];
    } finally {
      await hive.stop();
      await bare.stop();
    }
  },
};
