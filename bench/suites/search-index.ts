import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SearchIndex, type SearchQuery } from '@hivesync/search';
import { alternate, ratioFields, type Rounds } from '../lib/alternate.js';
import {
  LIMIT,
  rareWords,
  regexOf,
  rg,
  rgFiles,
  stopRg,
  WARM_UP_COUNTS,
  WARM_UP_WORDS,
  warmUp,
  warmUpCounts,
  warmUpWords,
} from '../lib/ripgrep.js';
import { startSearcher } from '../lib/searcher.js';
import { benchSession } from '../lib/hivesync-client.js';
import { call, ROOT, SERVER_NODE_FLAGS, startHiveSync, startProcess } from '../lib/processes.js';
import type { Figure, Suite } from '../lib/report.js';
import { median, ms, time } from '../lib/stats.js';

const REPOS = path.resolve(process.env.HIVESYNC_TEST_REPOS ?? path.join(ROOT, '..', 'shared', 'data', 'repos'));

function git(gitDir: string, ...args: string[]): string {
  return execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 }).trim();
}

/**
 * The search index (packages/search) on vue core's real history, each figure against ripgrep 13 on a checkout of
 * the same commit in the same run: server-side (the index searched in a process that does nothing else, as an API
 * instance, while the bench's process runs rg from a process of its own and measures) for rare and common
 * literals, regexes with and without trigrams, path-filtered and file-name searches; end to end through the API for
 * a rare literal (with GET /health and a bare Fastify route in the same rounds: the floor of any request here);
 * incremental indexing of 100 commits against the `git fetch` of those commits; index size and the full index's
 * speed. The 1 GB synthetic tree the issue names is not built by this suite (see docs/PERFORMANCE.md).
 */
export const searchIndex: Suite = {
  name: 'search index',
  embeddedOnly: true,
  async run({ rounds, env, label }): Promise<Figure[]> {
    const source = path.join(REPOS, 'core.git');
    if (!fs.existsSync(path.join(source, 'HEAD'))) throw new Error(`search index: no ${source} (HIVESYNC_TEST_REPOS)`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-bench-index-'));
    let searcher: Awaited<ReturnType<typeof startSearcher>> | undefined;
    try {
      const bare = path.join(dir, 'core.git');
      execFileSync('git', ['clone', '-q', '--bare', '--shared', source, bare]);
      const head = git(bare, 'rev-parse', 'HEAD');
      const checkout = path.join(dir, 'checkout');
      fs.mkdirSync(checkout);
      const tar = path.join(dir, 'checkout.tar');
      execFileSync('git', ['--git-dir', bare, 'archive', '-o', tar, head]);
      execFileSync('tar', ['-xf', tar, '-C', checkout]);

      // The full first index of the commit, here; searched in a process that does nothing else, as an API instance
      // (with the server's default search threads and Node.js flags), while this one runs rg and measures.
      const index = new SearchIndex(path.join(dir, 'index'));
      const gitEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
      const full = await index.indexCommit({ gitDir: bare, env: gitEnv }, head);
      const stats = await index.stats();
      await index.close();
      searcher = await startSearcher(path.join(dir, 'index'));
      const search = (q: SearchQuery) => searcher!.search(head, { limit: LIMIT, timeBudgetMs: 60_000, ...q });
      const firstSearch = await time(() => search({ q: 'warm_up_query' }));
      await rg(checkout, ['-F', '-e', 'warm_up_query']);

      const words = rareWords(checkout, Math.max(rounds, 5));
      const n = words.length;
      const warmWords = warmUpWords(checkout, '*.ts', WARM_UP_WORDS, words);
      await warmUp(warmWords, (q, regex) => search({ q, regex }));
      await warmUpCounts((q) => search({ q, count: true }));
      const rare = await alternate({
        rounds: n,
        baseline: (r) => rg(checkout, ['-F', '-e', words[r]!]),
        subject: (r) => time(() => search({ q: words[r]! })),
      });
      const regexes = words.map(regexOf);
      const rareRegex = await alternate({
        rounds: n,
        baseline: (r) => rg(checkout, ['-e', regexes[r]!]),
        subject: (r) => time(() => search({ q: regexes[r]!, regex: true })),
      });
      const common = ['const', 'return', 'function', 'export', 'import', 'props', 'value'];
      const commonFirst = await alternate({
        rounds: Math.max(rounds, 5),
        baseline: (r) => rg(checkout, ['-F', '-e', common[r % common.length]!]),
        subject: (r) => time(() => search({ q: common[r % common.length]! })),
      });
      const commonCount = await alternate({
        rounds: Math.max(rounds, 5),
        // rg -c: ripgrep counting (per file) rather than printing every line.
        baseline: (r) => rg(checkout, ['-c', '-F', '-e', common[r % common.length]!], Infinity),
        subject: (r) => time(() => search({ q: common[r % common.length]!, count: true })),
      });
      const dirs = ['packages/runtime-core', 'packages/compiler-core', 'packages/reactivity', 'packages/compiler-sfc'];
      const pathFiltered = await alternate({
        rounds: Math.max(rounds, 5),
        baseline: (r) => rg(checkout, ['-F', '-e', 'const'], LIMIT, [dirs[r % dirs.length]!]),
        subject: (r) => time(() => search({ q: 'const', path: dirs[r % dirs.length]! })),
      });
      const names = ['runtime', 'component', 'compiler', 'reactive', 'transform'];
      const fileNames = await alternate({
        rounds: Math.max(rounds, 5),
        baseline: (r) => rgFiles(checkout, names[r % names.length]!),
        subject: (r) => time(() => search({ q: names[r % names.length]!, files: true })),
      });
      const scans = ['\\d{3,}px', '[0-9]+\\.[0-9]+e', '\\s{4}\\}\\)', '[A-Z]{5}\\d'];
      const scan = await alternate({
        rounds: Math.max(rounds, 5),
        baseline: (r) => rg(checkout, ['-e', scans[r % scans.length]!], Infinity),
        subject: (r) =>
          time(() => search({ q: scans[r % scans.length]!, regex: true, limit: 10_000, maxBytes: 1 << 30 })),
      });

      // Incremental: a mirror at a commit 100 commits back, indexed; then fetch the 100 and index the new commit.
      const firstParents = git(bare, 'rev-list', '--first-parent', '-n', String(100 * (rounds + 1) + 1), head).split(
        '\n',
      );
      let mirror = '';
      let mirrorIndex: SearchIndex | undefined;
      const incremental = await alternate({
        rounds,
        before: async (r) => {
          // Round r: from first-parent commit 100·(r+1) to 100·r (older windows each round, so nothing is cached).
          await mirrorIndex?.close();
          const from = firstParents[100 * (r + 1)]!;
          mirror = path.join(dir, `mirror-${r}.git`);
          execFileSync('git', ['init', '-q', '--bare', mirror]);
          execFileSync('git', ['--git-dir', mirror, 'fetch', '-q', source, `${from}:refs/heads/main`]);
          mirrorIndex = new SearchIndex(path.join(dir, `mirror-index-${r}`));
          await mirrorIndex.indexCommit({ gitDir: mirror, env: gitEnv }, from);
        },
        baseline: (r) =>
          time(async () =>
            execFileSync('git', [
              '--git-dir',
              mirror,
              'fetch',
              '-q',
              source,
              `+${firstParents[100 * r]!}:refs/heads/main`,
            ]),
          ),
        subject: (r) => time(() => mirrorIndex!.indexCommit({ gitDir: mirror, env: gitEnv }, firstParents[100 * r]!)),
      });
      await searcher.stop();
      await mirrorIndex?.close();

      // End to end: the API's /repo/search against rg of the same rare literal.
      const hive = await startHiveSync({ ...env, HIVESYNC_ALLOW_LOCAL_REPOS: 'true' });
      let api: Rounds;
      let floor: Rounds;
      try {
        const session = await benchSession(hive.url);
        const project = await session.json<{ id: string }>('POST', '/api/v1/projects', {
          name: 'core',
          repo_url: bare,
        });
        await session.syncAndWait(project.id, 600);
        const viaApi = (q: string, regex = false) =>
          session.json(
            'GET',
            `/api/v1/repo/search?project_id=${project.id}&q=${encodeURIComponent(q)}&limit=${LIMIT}&regex=${regex}`,
          );
        await viaApi('warm_up_query');
        await warmUp(warmWords, (q, regex) => viaApi(q, regex));
        api = await alternate({
          rounds: n,
          baseline: (r) => rg(checkout, ['-F', '-e', words[r]!]),
          subject: (r) => time(() => viaApi(words[r]!)),
        });
        // The floor of any request on this machine, in the same rounds: GET /health (no auth, no database).
        floor = await alternate({
          rounds: n,
          baseline: (r) => rg(checkout, ['-F', '-e', words[r]!]),
          subject: () => time(() => session.json('GET', '/health')),
        });
      } finally {
        await hive.stop();
      }
      // And of any Fastify server here: a bare route answering a small object (bench/bare-server.ts, the server's
      // Node.js flags), through the same client, in the same rounds.
      const fastify = await startProcess(
        [...SERVER_NODE_FLAGS, '--import', 'tsx', 'bench/bare-server.ts'],
        {},
        /^url: (http:\/\/\S+)$/m,
      );
      let bareFloor: Rounds;
      try {
        bareFloor = await alternate({
          rounds: n,
          baseline: (r) => rg(checkout, ['-F', '-e', words[r]!]),
          subject: () => time(async () => (await call(`${fastify.value}/bare`, 'GET')).json()),
        });
      } finally {
        await fastify.stop();
      }

      const row = (name: string, r: Rounds, goal: number, baseline = 'rg on a checkout'): Figure => ({
        suite: 'search index',
        name: `${name} (${label})`,
        value: `${ms(median(r.subjects))} ms`,
        baseline: `${baseline}: ${ms(median(r.baselines))} ms`,
        ...ratioFields(r),
        goal: `≤ ${goal.toFixed(1)} × ${baseline.split(' ')[0]}`,
        met: r.median <= goal,
      });
      const mb = stats.text_bytes / 1e6;
      return [
        row(`vue core: rare literal, server-side (median of ${n})`, rare, 0.1),
        row(`vue core: rare literal through the API (median of ${n})`, api, 0.1),
        {
          ...row(`vue core: GET /health, the floor of any request to the server (median of ${n})`, floor, 0.1),
          goal: 'report',
          met: undefined,
        },
        {
          ...row(
            `vue core: a bare Fastify route, the floor of any Fastify server here (median of ${n})`,
            bareFloor,
            0.1,
          ),
          goal: 'report',
          met: undefined,
        },
        row(`vue core: regex with trigrams, server-side (median of ${n})`, rareRegex, 0.1),
        row(`vue core: common literal, first ${LIMIT}, server-side`, commonFirst, 0.2),
        row('vue core: common literal, the full count, server-side', commonCount, 0.2, 'rg -c'),
        row(`vue core: path-filtered literal, first ${LIMIT}, server-side`, pathFiltered, 0.2),
        row('vue core: file-name search, server-side', fileNames, 0.2, 'rg --files'),
        row('vue core: regex without trigrams (a scan), all matches, server-side', scan, 1.0),
        row('vue core: incremental index after 100 commits', incremental, 2.0, 'git fetch of them'),
        {
          suite: 'search index',
          name: `vue core: index size on disk / indexed text (${label})`,
          value: `${(stats.disk_bytes / 1e6).toFixed(1)} MB for ${mb.toFixed(1)} MB of text`,
          baseline: 'the indexed text',
          ratio: stats.disk_bytes / stats.text_bytes,
          goal: '≤ 1.5 × the text',
          met: stats.disk_bytes / stats.text_bytes <= 1.5,
        },
        {
          suite: 'search index',
          name: `vue core: the first search of a fresh process (a rare literal; the rounds above follow ${2 * warmWords.length} warm-up searches and ${2 * WARM_UP_COUNTS.length} counts of other words) (${label})`,
          value: `${ms(firstSearch)} ms`,
          baseline: 'none (reported)',
          ratio: 1,
          goal: 'report',
          met: undefined,
        },
        {
          suite: 'search index',
          name: `vue core: full first index, ${full.files} files (${label})`,
          value: `${(mb / (full.ms / 1000)).toFixed(1)} MB/s (${ms(full.ms)} ms)`,
          baseline: 'none (reported)',
          ratio: 1,
          goal: 'report MB/s',
          met: undefined,
        },
      ];
    } finally {
      await searcher?.stop();
      await stopRg();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
