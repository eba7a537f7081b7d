import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateRepo } from '../lib/git-repos.js';
import { benchSession } from '../lib/hivesync-client.js';
import { startHiveSync } from '../lib/processes.js';
import type { Figure, Suite } from '../lib/report.js';
import { median, ms, time } from '../lib/stats.js';

const FILES = 50_000;
const LIMIT = 100;
const RARE = 10;

/** `git grep` in a plain checkout, reading at most `limit` matches (as the API does), then stopping. */
function gitGrep(worktree: string, args: string[], limit: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['grep', '-n', '--column', ...args], { cwd: worktree });
    let lines = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      for (const b of chunk) if (b === 10) lines++;
      if (lines >= limit) child.kill('SIGKILL');
    });
    child.on('close', (code, signal) =>
      code === 0 || code === 1 || signal ? resolve(lines) : reject(new Error(`git grep ${code}`)),
    );
  });
}

/**
 * Search over a generated 50,000-file repository: the API's /repo/search against `git grep` of the same query in a
 * plain checkout of the same commit, both stopping at the first 100 matches.
 */
export const repoSearch: Suite = {
  name: 'repo search',
  async run({ env, label }): Promise<Figure[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-bench-search-'));
    const hive = await startHiveSync({ ...env, HIVESYNC_ALLOW_LOCAL_REPOS: 'true' });
    try {
      const remote = path.join(dir, 'remote.git');
      // Rare tokens: each in 3 files spread over the tree.
      const markers = new Map<number, string>();
      for (let t = 0; t < RARE; t++)
        for (const i of [t * 37, 20_000 + t * 41, 45_000 + t * 43]) markers.set(i, `needle_${t}_zq`);
      await generateRepo(remote, FILES, markers);
      const checkout = path.join(dir, 'checkout');
      execFileSync('git', ['clone', '-q', '--', remote, checkout]);
      const session = await benchSession(hive.url);
      const project = await session.json<{ id: string }>('POST', '/api/v1/projects', { name: 'big', repo_url: remote });
      await session.syncAndWait(project.id, 100);
      const search = (q: string, regex = false) =>
        session.json<{ matches: unknown[] }>(
          'GET',
          `/api/v1/repo/search?project_id=${project.id}&q=${encodeURIComponent(q)}&limit=${LIMIT}${regex ? '&regex=true' : ''}`,
        );
      // The search index is built right after the sync completes: wait until searches use it.
      for (let i = 0; ; i++) {
        const res = await fetch(`${hive.url}/api/v1/repo/search?project_id=${project.id}&q=index_probe_${i}`, {
          headers: { authorization: `Bearer ${session.token}` },
        });
        if (res.headers.get('x-hivesync-search-engine') === 'index') break;
        await new Promise((r) => setTimeout(r, 250));
      }
      // Warm both copies into the page cache with a query that is not measured.
      await search('warm_up_query');
      await gitGrep(checkout, ['-F', '-e', 'warm_up_query'], LIMIT);

      const rareOurs: number[] = [];
      const rareTheirs: number[] = [];
      for (let t = 0; t < RARE; t++) {
        const q = `needle_${t}_zq`;
        rareOurs.push(await time(() => search(q)));
        rareTheirs.push(await time(() => gitGrep(checkout, ['-F', '-e', q], LIMIT)));
      }
      const regexOurs: number[] = [];
      const regexTheirs: number[] = [];
      for (const [a, b] of [
        ['cache', 'queue'],
        ['user', 'order'],
        ['token', 'stream'],
        ['schema', 'layout'],
        ['metric', 'report'],
      ]) {
        const regex = `throw new Error\\(.missing (${a}|${b}) in`;
        regexOurs.push(await time(() => search(regex, true)));
        regexTheirs.push(await time(() => gitGrep(checkout, ['-E', '-e', regex], LIMIT)));
      }
      const warm: number[] = [];
      for (let i = 0; i < 5; i++) warm.push(await time(() => search('needle_0_zq')));

      const row = (name: string, o: number, t: number, goal: string, met: boolean | undefined): Figure => ({
        suite: 'repo search',
        name: `${name} (${label})`,
        value: `${ms(o)} ms`,
        baseline: `git grep in a checkout: ${ms(t)} ms`,
        ratio: o / t,
        goal,
        met,
      });
      return [
        row(
          `rare literal over ${FILES} files, first time (median of ${RARE})`,
          median(rareOurs),
          median(rareTheirs),
          '≤ 1.0 × git grep',
          median(rareOurs) <= median(rareTheirs),
        ),
        row(
          `regex, first ${LIMIT} matches, first time (median of 5)`,
          median(regexOurs),
          median(regexTheirs),
          '≤ 1.0 × git grep',
          median(regexOurs) <= median(regexTheirs),
        ),
        row(
          'rare literal repeated (same commit, cached)',
          median(warm),
          median(rareTheirs),
          '≤ 1.0 × git grep',
          median(warm) <= median(rareTheirs),
        ),
      ];
    } finally {
      await hive.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
