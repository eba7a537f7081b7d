import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateRepo } from '../lib/git-repos.js';
import { benchSession } from '../lib/hivesync-client.js';
import { call, startHiveSync } from '../lib/processes.js';
import type { Figure, Suite } from '../lib/report.js';
import { median, ms, time } from '../lib/stats.js';

const THREADS = 1000;
const FILES = 20;
const ROUNDS = 5;
const PER_ROUND = 20;
const CREATE_CONCURRENCY = 8;

/**
 * Listing the threads of a project with 1,000 of them (positions, first comments) against the project's own GET on
 * the same server, in alternating rounds; the figure is the median of the per-round p50s and of their ratios.
 */
export const threadList: Suite = {
  name: 'thread list',
  async run({ env, label }): Promise<Figure[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-bench-threads-'));
    const hive = await startHiveSync({ ...env, HIVESYNC_ALLOW_LOCAL_REPOS: 'true' });
    try {
      const remote = path.join(dir, 'remote.git');
      await generateRepo(remote, FILES);
      const session = await benchSession(hive.url);
      const project = await session.json<{ id: string }>('POST', '/api/v1/projects', {
        name: 'bench',
        repo_url: remote,
      });
      await session.syncAndWait(project.id);
      let next = 0;
      await Promise.all(
        Array.from({ length: CREATE_CONCURRENCY }, async () => {
          for (let i = next++; i < THREADS; i = next++) {
            const line = 1 + (Math.floor(i / FILES) % 30);
            await session.json('POST', `/api/v1/projects/${project.id}/threads`, {
              path: `src/0/0/module${i % FILES}.ts`,
              start_line: line,
              end_line: line + 2,
              body: `bench thread ${i}: is this right?`,
            });
          }
        }),
      );
      const get = (url: string) => async () =>
        (await call(`${hive.url}${url}`, 'GET', undefined, session.token)).text();
      const list = get(`/api/v1/projects/${project.id}/threads`);
      const base = get(`/api/v1/projects/${project.id}`);
      const body = JSON.parse(await list()) as { threads: { first_comment?: unknown }[] };
      if (body.threads.length !== THREADS || !body.threads.every((t) => t.first_comment))
        throw new Error(`listed ${body.threads.length} threads, expected ${THREADS} with first comments`);
      const p50 = async (fn: () => Promise<unknown>) => {
        const times: number[] = [];
        for (let k = 0; k < PER_ROUND; k++) times.push(await time(fn));
        return median(times);
      };
      const ours: number[] = [];
      const theirs: number[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        // Alternate who goes first, so a burst of load on the shared machine lands on one side only.
        if (round % 2) {
          ours.push(await p50(list));
          theirs.push(await p50(base));
        } else {
          theirs.push(await p50(base));
          ours.push(await p50(list));
        }
      }
      const ratios = ours.map((o, i) => o / theirs[i]!);
      const ratio = median(ratios);
      const spread = Math.max(...ratios.map((r) => Math.abs(r / ratio - 1)));
      const o = median(ours);
      return [
        {
          suite: 'thread list',
          name: `list ${THREADS} threads with positions and first comments (${label})`,
          value: `p50 ${ms(o)} ms (median of ${ROUNDS} rounds of ${PER_ROUND}); ratio ${ms(ratio)} (${ms(Math.min(...ratios))}–${ms(Math.max(...ratios))})${spread > 0.15 ? ', unstable' : ''}`,
          baseline: `GET /projects/{id} on the same server: p50 ${ms(median(theirs))} ms`,
          ratio,
          goal: 'p50 < 30 ms',
          met: spread > 0.15 ? undefined : o < 30,
        },
      ];
    } finally {
      await hive.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
