import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { alternate, ratioFields, type Rounds } from '../lib/alternate.js';
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
  async run({ env, label, rounds }): Promise<Figure[]> {
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

      // Each round a new query, each first measured through the API or git grep in turn.
      const needle = (round: number) => `needle_${round % RARE}_zq`;
      const rare = await alternate({
        rounds: Math.max(rounds, RARE),
        baseline: (round) => time(() => gitGrep(checkout, ['-F', '-e', needle(round)], LIMIT)),
        subject: (round) => time(() => search(needle(round))),
      });
      const pairs = [
        ['cache', 'queue'],
        ['user', 'order'],
        ['token', 'stream'],
        ['schema', 'layout'],
        ['metric', 'report'],
        ['session', 'buffer'],
        ['config', 'worker'],
      ] as const;
      const regexOf = (round: number) => {
        const [a, b] = pairs[round % pairs.length]!;
        return `throw new Error\\(.missing (${a}|${b}) in`;
      };
      const regex = await alternate({
        rounds: Math.min(Math.max(rounds, 5), pairs.length),
        baseline: (round) => time(() => gitGrep(checkout, ['-E', '-e', regexOf(round)], LIMIT)),
        subject: (round) => time(() => search(regexOf(round), true)),
      });
      // The cached figure: needle_0 again (cached since the first rounds) against git grep of a rare literal.
      const warm = await alternate({
        rounds,
        baseline: (round) => time(() => gitGrep(checkout, ['-F', '-e', needle(round)], LIMIT)),
        subject: () => time(() => search('needle_0_zq')),
      });

      const row = (name: string, r: Rounds, goal: string): Figure => ({
        suite: 'repo search',
        name: `${name} (${label})`,
        value: `${ms(median(r.subjects))} ms`,
        baseline: `git grep in a checkout: ${ms(median(r.baselines))} ms`,
        ...ratioFields(r),
        goal,
        met: r.median <= 1,
      });
      return [
        row(`rare literal over ${FILES} files, first time (median of ${rare.ratios.length})`, rare, '≤ 1.0 × git grep'),
        row(`regex, first ${LIMIT} matches, first time (median of ${regex.ratios.length})`, regex, '≤ 1.0 × git grep'),
        row('rare literal repeated (same commit, cached)', warm, '≤ 1.0 × git grep'),
      ];
    } finally {
      await hive.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
