import { alternate, ratioFields } from '../lib/alternate.js';
import { load, type LoadResult } from '../lib/http-load.js';
import { call, startHiveSync, startProcess } from '../lib/processes.js';
import type { Figure, Suite } from '../lib/report.js';
import { median } from '../lib/stats.js';

const CONNECTIONS = 64;

/**
 * Authenticated notification polling, the request every client sends most: the 200 path (a page of 20) and the
 * 304 path (If-None-Match with the current ETag), each against a bare Fastify route in alternating rounds.
 */
export const notificationPolling: Suite = {
  name: 'notification polling',
  async run({ seconds, rounds, env, label }): Promise<Figure[]> {
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

      // Each figure in its own alternating rounds: bare route, poll, bare route, poll, … of the same duration.
      const measure = async (subject: Parameters<typeof load>[0]) => {
        const runs: { bare: LoadResult[]; subject: LoadResult[] } = { bare: [], subject: [] };
        const checked = (name: string, r: LoadResult) => {
          if (r.errors > 0 || r.unexpected > 0)
            throw new Error(`${name}: ${r.errors} errors, ${r.unexpected} unexpected statuses`);
          return r;
        };
        const paired = await alternate({
          rounds,
          baseline: async () => {
            const r = checked(
              'bare',
              await load({ url: `${bare.value}/bare`, connections: CONNECTIONS, seconds, expectStatus: 200 }),
            );
            runs.bare.push(r);
            return r.rps;
          },
          subject: async () => {
            const r = checked(subject.url, await load(subject));
            runs.subject.push(r);
            return r.rps;
          },
        });
        return { rounds: paired, ...runs };
      };
      const notModified = await measure({
        url: pollUrl,
        headers: { ...auth, 'if-none-match': etag },
        connections: CONNECTIONS,
        seconds,
        expectStatus: 304,
      });
      const ok = await measure({ url: pollUrl, headers: auth, connections: CONNECTIONS, seconds, expectStatus: 200 });

      const row = (name: string, m: typeof ok, goal: string, met: (p99: number) => boolean | undefined): Figure => {
        const rps = (rs: LoadResult[]) => `${Math.round(median(rs.map((r) => r.rps)))} req/s`;
        const p99 = median(m.subject.map((r) => r.p99));
        return {
          suite: 'notification polling',
          name: `${name} (${label})`,
          value: `${rps(m.subject)}, p50 ${median(m.subject.map((r) => r.p50))} ms, p99 ${p99} ms (medians of ${m.subject.length} rounds of ${seconds} s)`,
          baseline: `bare Fastify route: ${rps(m.bare)}, p99 ${median(m.bare.map((r) => r.p99))} ms`,
          ...ratioFields(m.rounds),
          goal,
          met: met(p99),
        };
      };
      return [
        row(
          'poll answered 304 (unchanged)',
          notModified,
          '≥ 0.80 of bare, p99 < 20 ms at 64 connections',
          (p99) => notModified.rounds.median >= 0.8 && p99 < 20,
        ),
        row('poll answered 200 (page of 20)', ok, 'none set; for comparison', () => undefined),
      ];
    } finally {
      await hive.stop();
      await bare.stop();
    }
  },
};
