import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateRepo } from '../lib/git-repos.js';
import { benchSession } from '../lib/hivesync-client.js';
import { alternate, ratioFields, summarize } from '../lib/alternate.js';
import { load, type LoadResult } from '../lib/http-load.js';
import { call, ROOT, startHiveSync, startProcess } from '../lib/processes.js';
import type { Figure, Suite } from '../lib/report.js';
import { median, ms, percentile, time } from '../lib/stats.js';

/**
 * Event delivery: a worker finishes a job (a sync of a small repository), its notification reaches an SSE client.
 * Latency = arrival at the client − the notification's created_at (one clock: same machine). Baseline: a plain
 * HTTP round trip to /health in the same run.
 */
export const eventDelivery: Suite = {
  name: 'event delivery',
  async run({ env, label, rounds }): Promise<Figure[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-bench-events-'));
    const hive = await startHiveSync({ ...env, HIVESYNC_ALLOW_LOCAL_REPOS: 'true' });
    const controller = new AbortController();
    try {
      const remote = path.join(dir, 'remote.git');
      await generateRepo(remote, 20);
      const session = await benchSession(hive.url);
      const project = await session.json<{ id: string }>('POST', '/api/v1/projects', {
        name: 'events',
        repo_url: remote,
      });
      const arrivals: number[] = [];
      const res = await fetch(`${hive.url}/api/v1/events`, {
        headers: { authorization: `Bearer ${session.token}` },
        signal: controller.signal,
      });
      let buffer = '';
      void (async () => {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          const now = Date.now();
          buffer += Buffer.from(chunk).toString();
          let end: number;
          while ((end = buffer.indexOf('\n\n')) !== -1) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = block.split('\n').find((l) => l.startsWith('data: '));
            if (!data) continue;
            const n = JSON.parse(data.slice(6)) as { type: string; created_at: string };
            if (n.type === 'repo_sync_success') arrivals.push(now - Date.parse(n.created_at));
          }
        }
      })().catch(() => undefined);
      // Rounds of 6 events each against 6 round trips to /health: the ratio of their p50s, per round.
      const PER_ROUND = 6;
      const rtt: number[] = [];
      const paired = await alternate({
        rounds,
        baseline: async () => {
          const round: number[] = [];
          for (let i = 0; i < PER_ROUND; i++) round.push(await time(() => call(`${hive.url}/health`, 'GET')));
          rtt.push(...round);
          return Math.max(median(round), 0.1);
        },
        subject: async () => {
          const from = arrivals.length;
          for (let i = 0; i < PER_ROUND; i++) await session.syncAndWait(project.id, 5);
          const deadline = Date.now() + 2000;
          while (arrivals.length < from + PER_ROUND && Date.now() < deadline)
            await new Promise((r) => setTimeout(r, 5));
          return median(arrivals.slice(from));
        },
      });
      const p50 = median(arrivals);
      return [
        {
          suite: 'event delivery',
          name: `job done → SSE client, ${arrivals.length} events (${label})`,
          value: `p50 ${ms(p50)} ms, p99 ${ms(percentile(arrivals, 99))} ms`,
          baseline: `HTTP round trip to /health: p50 ${ms(median(rtt))} ms`,
          ...ratioFields(paired),
          goal: 'p50 < 50 ms',
          met: p50 < 50,
        },
      ];
    } finally {
      controller.abort();
      await hive.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** 1,000 connections polling notifications (ETag → 304 as real clients do) for 60 s: zero errors. */
export const manyPollers: Suite = {
  name: '1,000 pollers',
  async run({ env, label, seconds, rounds }): Promise<Figure[]> {
    const duration = Math.max(60, seconds);
    const bare = await startProcess(['--import', 'tsx', 'bench/bare-server.ts'], {}, /^url: (http:\/\/\S+)$/m);
    const hive = await startHiveSync(env);
    try {
      const session = await benchSession(hive.url);
      const first = await call(`${hive.url}/api/v1/notifications`, 'GET', undefined, session.token);
      const headers = { authorization: `Bearer ${session.token}`, 'if-none-match': first.headers.get('etag')! };
      // The minute of polling in alternating rounds against the bare route, each side `perRound` seconds at a time.
      const perRound = Math.ceil(duration / rounds);
      const polls: LoadResult[] = [];
      const bares: LoadResult[] = [];
      const paired = await alternate({
        rounds,
        baseline: async () => {
          const b = await load({ url: `${bare.value}/bare`, connections: 1000, seconds: perRound, expectStatus: 200 });
          bares.push(b);
          return b.rps;
        },
        subject: async () => {
          const r = await load({
            url: `${hive.url}/api/v1/notifications`,
            headers,
            connections: 1000,
            seconds: perRound,
            expectStatus: 304,
          });
          polls.push(r);
          return r.rps;
        },
      });
      const sum = (f: (r: LoadResult) => number) => polls.reduce((n, r) => n + f(r), 0);
      const [total, errors, unexpected] = [sum((r) => r.total), sum((r) => r.errors), sum((r) => r.unexpected)];
      return [
        {
          suite: '1,000 pollers',
          name: `1,000 concurrent pollers for ${perRound * rounds} s, in ${rounds} rounds of ${perRound} s (${label})`,
          value: `${total} polls, ${errors} errors, ${unexpected} unexpected statuses; ${Math.round(median(polls.map((r) => r.rps)))} req/s, p99 ${median(polls.map((r) => r.p99))} ms`,
          baseline: `bare Fastify route at 1,000 connections: ${Math.round(median(bares.map((r) => r.rps)))} req/s`,
          ...ratioFields(paired),
          goal: 'zero errors',
          met: errors === 0 && unexpected === 0 && total > 0,
        },
      ];
    } finally {
      await hive.stop();
      await bare.stop();
    }
  },
};

/** Embedded cold start (fresh data dir → /health answers) and resident memory after 5 s idle. */
export const coldStart: Suite = {
  name: 'cold start',
  // Embedded only: it is about the zero-setup process.
  embeddedOnly: true,
  async run({ rounds }): Promise<Figure[]> {
    const measure = async (
      args: string[],
      env: Record<string, string>,
      url: (out: string) => string | undefined,
      readyPath = '/health',
    ) => {
      const started = performance.now();
      const proc = spawn(process.execPath, args, {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
      proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
      let base: string | undefined;
      const deadline = Date.now() + 60_000;
      while (!(base = url(out))) {
        if (Date.now() > deadline || proc.exitCode !== null) {
          proc.kill('SIGKILL');
          throw new Error(`${args.join(' ')} did not start:\n${out}`);
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      for (;;) {
        const ok = await fetch(`${base}${readyPath}`)
          .then((r) => r.ok)
          .catch(() => false);
        if (ok) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      const startMs = performance.now() - started;
      await new Promise((r) => setTimeout(r, 5000));
      const rssKb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${proc.pid}/status`, 'utf8'))?.[1] ?? 0);
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
      return { startMs, rssMb: rssKb / 1024 };
    };
    const env = (dataDir: string) => ({ HIVESYNC_DATA_DIR: dataDir, HIVESYNC_PORT: '0', HIVESYNC_LOG_LEVEL: 'warn' });
    const banner = (o: string) => /^url: (http:\/\/\S+)$/m.exec(o)?.[1];
    const bare: { startMs: number; rssMb: number }[] = [];
    const first: { startMs: number; rssMb: number }[] = [];
    const cold: { startMs: number; rssMb: number }[] = [];
    // Rounds alternating the bare Fastify process with ours; the three figures share the rounds.
    await alternate({
      rounds,
      baseline: async () => {
        bare.push(await measure(['--import', 'tsx', 'bench/bare-server.ts'], {}, banner, '/bare'));
        return bare.at(-1)!.startMs;
      },
      subject: async () => {
        const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-bench-cold-'));
        try {
          // First run: creates the embedded database; then a restart on the same data, which is a cold start.
          first.push(await measure(['apps/server/dist/main.js', 'start'], env(dataDir), banner));
          cold.push(await measure(['apps/server/dist/main.js', 'start'], env(dataDir), banner));
        } finally {
          fs.rmSync(dataDir, { recursive: true, force: true });
        }
        return cold.at(-1)!.startMs;
      },
    });
    const of = (runs: { startMs: number; rssMb: number }[], key: 'startMs' | 'rssMb') => runs.map((r) => r[key]);
    const firstRuns = summarize(of(bare, 'startMs'), of(first, 'startMs'));
    const starts = summarize(of(bare, 'startMs'), of(cold, 'startMs'));
    const rss = summarize(of(bare, 'rssMb'), of(cold, 'rssMb'));
    const n = cold.length;
    return [
      {
        suite: 'cold start',
        name: `embedded first run, empty data dir (creates the database) → /health answers (median of ${n})`,
        value: `${ms(median(firstRuns.subjects))} ms`,
        baseline: `bare Fastify process (tsx) start: ${ms(median(firstRuns.baselines))} ms`,
        ...ratioFields(firstRuns),
        goal: 'none set; for comparison',
        met: undefined,
      },
      {
        suite: 'cold start',
        name: `embedded cold start (process start on existing data) → /health answers (median of ${n})`,
        value: `${ms(median(starts.subjects))} ms`,
        baseline: `bare Fastify process (tsx) start: ${ms(median(starts.baselines))} ms`,
        ...ratioFields(starts),
        goal: '< 3 s',
        met: median(starts.subjects) < 3000,
      },
      {
        suite: 'cold start',
        name: `embedded idle resident memory after 5 s (median of ${n})`,
        value: `${ms(median(rss.subjects))} MB`,
        baseline: `bare Fastify process: ${ms(median(rss.baselines))} MB`,
        ...ratioFields(rss),
        goal: '< 250 MB',
        met: median(rss.subjects) < 250,
      },
    ];
  },
};

/** No-op jobs through the queue (enqueue → every job completed), against enqueueing them. */
export const jobThroughput: Suite = {
  name: 'job throughput',
  async run({ env, label, rounds }): Promise<Figure[]> {
    const hive = await startHiveSync(env);
    try {
      const session = await benchSession(hive.url);
      const N = 20_000;
      const warm = await session.json<{ probe_id: string }>('POST', '/api/v1/admin/queue-probe', { jobs: 1000 });
      await waitProbe(session, warm.probe_id, 1000);
      // Each round one probe: enqueueing its jobs (the baseline, timed by the server) and running them all.
      const enqueueRates: number[] = [];
      const rates: number[] = [];
      for (let round = 0; round < rounds; round++) {
        const started = performance.now();
        const probe = await session.json<{ probe_id: string; enqueue_ms: number }>(
          'POST',
          '/api/v1/admin/queue-probe',
          { jobs: N },
        );
        await waitProbe(session, probe.probe_id, N);
        rates.push(N / ((performance.now() - started) / 1000));
        enqueueRates.push(N / (probe.enqueue_ms / 1000));
      }
      const paired = summarize(enqueueRates, rates);
      const rate = median(rates);
      return [
        {
          suite: 'job throughput',
          name: `${N} no-op jobs, enqueue → all completed (${label})`,
          value: `${Math.round(rate)} jobs/s (median of ${rounds} runs)`,
          baseline: `enqueueing them: ${Math.round(median(enqueueRates))} jobs/s`,
          ...ratioFields(paired),
          goal: '≥ 2,000 jobs/s',
          met: rate >= 2000,
        },
      ];
    } finally {
      await hive.stop();
    }
  },
};

async function waitProbe(session: Awaited<ReturnType<typeof benchSession>>, id: string, n: number): Promise<void> {
  for (;;) {
    const s = await session.json<{ completed: number; failed: number }>('GET', `/api/v1/admin/queue-probe/${id}`);
    if (s.completed + s.failed >= n) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}
