import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { alternate, ratioFields } from '../lib/alternate.js';
import { appendCommits, generateRepo } from '../lib/git-repos.js';
import { benchSession } from '../lib/hivesync-client.js';
import { startHiveSync } from '../lib/processes.js';
import type { Figure, Suite } from '../lib/report.js';
import { median, ms, time } from '../lib/stats.js';

const FILES = 2000;
const COMMITS = 100;

/**
 * Incremental sync: 100 new commits on the remote, then a sync through the API (request → completed, as a client
 * sees it) against a plain `git fetch` of the same commits into a bare clone, measured in the same round.
 */
export const repoSync: Suite = {
  name: 'repo sync',
  async run({ env, label, rounds }): Promise<Figure[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-bench-sync-'));
    const hive = await startHiveSync({ ...env, HIVESYNC_ALLOW_LOCAL_REPOS: 'true' });
    try {
      const remote = path.join(dir, 'remote.git');
      await generateRepo(remote, FILES);
      const baseline = path.join(dir, 'baseline.git');
      execFileSync('git', ['clone', '-q', '--bare', '--', remote, baseline]);
      const session = await benchSession(hive.url);
      const project = await session.json<{ id: string }>('POST', '/api/v1/projects', {
        name: 'bench',
        repo_url: remote,
      });
      await session.syncAndWait(project.id);

      const paired = await alternate({
        rounds,
        // Syncs are spaced as in real use: the spare worktree's catch-up after the previous sync has finished.
        before: async (round) => {
          await new Promise((r) => setTimeout(r, 1000));
          await appendCommits(remote, COMMITS, FILES, round + 1);
        },
        baseline: () =>
          time(async () =>
            execFileSync('git', ['--git-dir', baseline, 'fetch', '-q', 'origin', '+refs/heads/main:refs/heads/main']),
          ),
        subject: () => time(() => session.syncAndWait(project.id, 10)),
        // Alternate who goes first, so neither always gets the warmer cache.
        swap: true,
      });
      const o = median(paired.subjects);
      const t = median(paired.baselines);
      return [
        {
          suite: 'repo sync',
          name: `incremental sync of ${COMMITS} commits, ${FILES}-file repo (${label})`,
          value: `${ms(o)} ms median of ${paired.subjects.length} (API request → completed)`,
          baseline: `git fetch of the same commits: ${ms(t)} ms`,
          ...ratioFields(paired),
          goal: '≤ 1.2 × git fetch + 100 ms',
          met: o <= 1.2 * t + 100,
        },
      ];
    } finally {
      await hive.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
