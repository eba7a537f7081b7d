import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EVENT_LOOP_SAMPLE_MS } from '../../apps/server/dist/infra/metrics.js';
import { placeInFile } from '../../apps/server/dist/modules/threads/anchoring.js';
import { generateRepo, sourceFile } from '../lib/git-repos.js';
import { benchSession } from '../lib/hivesync-client.js';
import { call, startHiveSync } from '../lib/processes.js';
import type { Figure, Suite } from '../lib/report.js';
import { median, ms } from '../lib/stats.js';

const ROUNDS = 5;
const REPEATS = 15;
const THREADS = 1000;
const FILES = 20;
const CREATE_CONCURRENCY = 8;
const POLL_MS = 50;

/** A 4,000-line file of plausible code (generated modules) and a 60-line anchor in its middle. */
function worstCase() {
  const lines = Array.from({ length: 110 }, (_, i) => sourceFile(i).trimEnd())
    .join('\n')
    .split('\n')
    .slice(0, 4000);
  const size = lines.length;
  const start = Math.floor(size / 2);
  const anchor = {
    path: 'big.ts',
    startLine: start + 1,
    endLine: start + 60,
    text: lines.slice(start, start + 60).join('\n'),
  };
  const join = (l: string[]) => `${l.join('\n')}\n`;
  const without = (l: string[]) => join([...l.slice(0, start), ...l.slice(start + 60)]);
  // Something renamed on every other line of the rest of the file, in the same commit.
  const renamed = lines.map((l, i) => (i % 2 ? l.replace(/input/g, 'args') : l));
  return { size, anchor, before: join(lines), deleted: without(lines), deletedAndRenamed: without(renamed) };
}

/** Median ms of `fn` over REPEATS runs. */
function medianMs(fn: () => unknown): number {
  const times: number[] = [];
  for (let k = 0; k < REPEATS; k++) {
    const started = performance.now();
    fn();
    times.push(performance.now() - started);
  }
  return median(times);
}

/** Ratio figures of paired rounds: the median ratio, its range, and whether every round lies within ±15% of it. */
function rounds(subjects: number[], baselines: number[]) {
  const ratios = subjects.map((s, i) => s / Math.max(baselines[i]!, 1e-3));
  const ratio = median(ratios);
  const spread = Math.max(...ratios.map((r) => Math.abs(r / ratio - 1)));
  return { ratio, range: `${ms(Math.min(...ratios))}–${ms(Math.max(...ratios))}`, unstable: spread > 0.15 };
}

/**
 * Issue #11 item 4. In process: placing a 60-line anchor deleted from a 4,000-line file (and the same in a commit
 * that also edits every other line), against placing the same anchor in the unchanged file, in alternating rounds.
 * On a server: the event loop's p99 delay (perf_hooks.monitorEventLoopDelay, read from /metrics) during a sync that
 * re-anchors 1,000 threads, against the same server idle for as long, polled the same way, in alternating rounds.
 */
export const anchoring: Suite = {
  name: 'anchoring',
  async run({ env, label }): Promise<Figure[]> {
    const figures: Figure[] = [];
    if (label === 'embedded') figures.push(...placementFigures());
    figures.push(await eventLoopFigure(env, label));
    return figures;
  },
};

function placementFigures(): Figure[] {
  const w = worstCase();
  const out: Figure[] = [];
  for (const [name, next] of [
    ['deleted', w.deleted],
    ['deleted, every other line of the file edited in the same commit', w.deletedAndRenamed],
  ] as const) {
    const placed = placeInFile(w.before, next, w.anchor);
    if (placed.status !== 'outdated' || placed.reason !== 'deleted')
      throw new Error(`expected outdated/deleted, got ${placed.status}/${placed.reason}`);
    const subjects: number[] = [];
    const baselines: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const subject = () => subjects.push(medianMs(() => placeInFile(w.before, next, w.anchor)));
      const baseline = () => baselines.push(medianMs(() => placeInFile(w.before, w.before, w.anchor)));
      if (round % 2) {
        baseline();
        subject();
      } else {
        subject();
        baseline();
      }
    }
    const r = rounds(subjects, baselines);
    const value = median(subjects);
    out.push({
      suite: 'anchoring',
      name: `re-anchor a 60-line anchor ${name} (${w.size}-line file; placed outdated/deleted, no budget)`,
      value: `median ${ms(value)} ms (${ROUNDS} rounds of ${REPEATS}); ratio ${ms(r.ratio)} (${r.range})${r.unstable ? ', unstable' : ''}`,
      baseline: `the same anchor in the unchanged file: median ${ms(median(baselines))} ms`,
      ratio: r.ratio,
      goal: '< 50 ms',
      met: value < 50,
    });
  }
  return out;
}

async function eventLoopFigure(env: Record<string, string>, label: string): Promise<Figure> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-bench-anchoring-'));
  const hive = await startHiveSync({
    ...env,
    HIVESYNC_ALLOW_LOCAL_REPOS: 'true',
    HIVESYNC_LIMIT_COMMENTS_PER_MINUTE: '1000000',
    HIVESYNC_LIMIT_SYNCS_PER_MINUTE: '1000000',
  });
  try {
    const remote = path.join(dir, 'remote.git');
    await generateRepo(remote, FILES);
    const work = path.join(dir, 'work');
    execFileSync('git', ['clone', '-q', remote, work]);
    const session = await benchSession(hive.url);
    const project = await session.json<{ id: string }>('POST', '/api/v1/projects', { name: 'bench', repo_url: remote });
    await session.syncAndWait(project.id);
    const ids: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: CREATE_CONCURRENCY }, async () => {
        for (let i = next++; i < THREADS; i = next++) {
          const line = 1 + (Math.floor(i / FILES) % 30);
          const t = await session.json<{ thread_id: string }>('POST', `/api/v1/projects/${project.id}/threads`, {
            path: `src/0/0/module${i % FILES}.ts`,
            start_line: line,
            end_line: line + 2,
            body: `bench thread ${i}`,
          });
          ids.push(t.thread_id);
        }
      }),
    );
    // The sync job places threads in id order: the last one placed is the greatest id.
    const last = ids.sort().at(-1)!;
    const p99 = async () => {
      const text = await (await call(`${hive.url}/metrics`, 'GET')).text();
      const m = /^hivesync_nodejs_eventloop_lag_p99_seconds(?:\{[^}]*\})? (\S+)$/m.exec(text);
      if (!m) throw new Error('no event loop p99 in /metrics');
      // A sample is the time between two timer fires: the sampling interval plus the delay.
      return Number(m[1]) * 1000 - EVENT_LOOP_SAMPLE_MS;
    };
    const lastPosition = async () =>
      (
        (await (await call(`${hive.url}/api/v1/threads/${last}`, 'GET', undefined, session.token)).json()) as {
          position: { commit: string };
        }
      ).position.commit;
    const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
    let syncMs = 3000;
    const idle = async () => {
      await p99(); // reading resets the histogram
      const until = Date.now() + syncMs;
      while (Date.now() < until) {
        await lastPosition();
        await sleep(POLL_MS);
      }
      return p99();
    };
    let round = 0;
    const syncing = async () => {
      round++;
      // Every file gets lines inserted above the threads and one line edited: every thread is placed anew.
      for (let i = 0; i < FILES; i++) {
        const file = path.join(work, `src/0/0/module${i}.ts`);
        const content = sourceFile(i).replace('// module', `// module (round ${round})`);
        fs.writeFileSync(file, `${'// inserted\n'.repeat(round)}${content}`);
      }
      execFileSync('git', ['-C', work, 'commit', '-qam', `round ${round}`], {
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 'b',
          GIT_AUTHOR_EMAIL: 'b@x',
          GIT_COMMITTER_NAME: 'b',
          GIT_COMMITTER_EMAIL: 'b@x',
        },
      });
      execFileSync('git', ['-C', work, 'push', '-q', 'origin', 'HEAD:main']);
      const head = execFileSync('git', ['-C', work, 'rev-parse', 'HEAD']).toString().trim();
      await p99();
      const started = Date.now();
      await call(`${hive.url}/api/v1/repo/sync`, 'POST', { project_id: project.id }, session.token);
      while ((await lastPosition()) !== head) await sleep(POLL_MS);
      syncMs = Date.now() - started;
      return p99();
    };
    const subjects: number[] = [];
    const baselines: number[] = [];
    const durations: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      if (r % 2) {
        baselines.push(await idle());
        subjects.push(await syncing());
      } else {
        subjects.push(await syncing());
        baselines.push(await idle());
      }
      durations.push(syncMs);
    }
    const r = rounds(subjects, baselines);
    const value = median(subjects);
    return {
      suite: 'anchoring',
      name: `event loop p99 delay during a sync that re-anchors ${THREADS} threads (${label})`,
      value: `p99 ${ms(value)} ms (median of ${ROUNDS} syncs, each ${ms(median(durations) / 1000)} s to the last thread placed); ratio ${ms(r.ratio)} (${r.range})${r.unstable ? ', unstable' : ''}`,
      baseline: `the same server idle for as long, polled the same way: p99 ${ms(median(baselines))} ms`,
      ratio: r.ratio,
      goal: 'p99 < 20 ms',
      met: value < 20,
    };
  } finally {
    await hive.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
