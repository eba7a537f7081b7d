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
 * Listing the threads of a project with 1,000 of them (positions, first comments): the first page (50, the default)
 * and, for scale, all 1,000 through `limit=100` pages, against the project's own GET on the same server, in
 * alternating rounds; each figure is the median of the per-round p50s and of their ratios.
 */
export const threadList: Suite = {
  name: 'thread list',
  async run({ env, label }): Promise<Figure[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-bench-threads-'));
    const hive = await startHiveSync({
      ...env,
      HIVESYNC_ALLOW_LOCAL_REPOS: 'true',
      HIVESYNC_LIMIT_COMMENTS_PER_MINUTE: '1000000',
    });
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
      const threads = `/api/v1/projects/${project.id}/threads`;
      const page = get(threads);
      // Every thread, page after page, as the SDK's list() without a limit does.
      const all = async () => {
        const seen: unknown[] = [];
        let cursor: string | null = null;
        do {
          const body = JSON.parse(await get(`${threads}?limit=100${cursor ? `&cursor=${cursor}` : ''}`)()) as {
            threads: { first_comment?: unknown }[];
            next_cursor: string | null;
          };
          seen.push(...body.threads.filter((t) => t.first_comment));
          cursor = body.next_cursor;
        } while (cursor);
        return seen.length;
      };
      const base = get(`/api/v1/projects/${project.id}`);
      const first = JSON.parse(await page()) as { threads: { first_comment?: unknown }[]; next_cursor: string | null };
      if (first.threads.length !== 50 || !first.next_cursor || !first.threads.every((t) => t.first_comment))
        throw new Error(`the first page had ${first.threads.length} threads, expected 50 with first comments`);
      if ((await all()) !== THREADS) throw new Error(`expected ${THREADS} threads with first comments in all pages`);
      const p50 = async (fn: () => Promise<unknown>) => {
        const times: number[] = [];
        for (let k = 0; k < PER_ROUND; k++) times.push(await time(fn));
        return median(times);
      };
      const figure = async (fn: () => Promise<unknown>, name: string, goal: number | undefined): Promise<Figure> => {
        const ours: number[] = [];
        const theirs: number[] = [];
        for (let round = 1; round <= ROUNDS; round++) {
          // Alternate who goes first, so a burst of load on the shared machine lands on one side only.
          if (round % 2) {
            ours.push(await p50(fn));
            theirs.push(await p50(base));
          } else {
            theirs.push(await p50(base));
            ours.push(await p50(fn));
          }
        }
        const ratios = ours.map((o, i) => o / theirs[i]!);
        const ratio = median(ratios);
        const spread = Math.max(...ratios.map((r) => Math.abs(r / ratio - 1)));
        const o = median(ours);
        return {
          suite: 'thread list',
          name: `${name} (${label})`,
          value: `p50 ${ms(o)} ms (median of ${ROUNDS} rounds of ${PER_ROUND}); ratio ${ms(ratio)} (${ms(Math.min(...ratios))}–${ms(Math.max(...ratios))})${spread > 0.15 ? ', unstable' : ''}`,
          baseline: `GET /projects/{id} on the same server: p50 ${ms(median(theirs))} ms`,
          ratio,
          goal: goal === undefined ? '' : `p50 < ${goal} ms`,
          // The goal is a time, judged on the median of the rounds; the ratio's spread is shown, not a verdict.
          met: goal === undefined ? undefined : o < goal,
        };
      };
      return [
        await figure(page, `list a page (50, the default) of ${THREADS} threads with positions and first comments`, 30),
        await figure(all, `list all ${THREADS} threads, 10 pages of 100 (for scale)`, undefined),
      ];
    } finally {
      await hive.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
