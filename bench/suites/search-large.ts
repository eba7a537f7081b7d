import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { SearchIndex, type SearchQuery } from '@hivesync/search';
import { alternate, ratioFields, type Rounds } from '../lib/alternate.js';
import { buildLargeTree } from '../lib/large-tree.js';
import { benchSession } from '../lib/hivesync-client.js';
import { ROOT, startHiveSync } from '../lib/processes.js';
import type { Figure, Suite } from '../lib/report.js';
import {
  LIMIT,
  RG,
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
import { median, ms, time } from '../lib/stats.js';

const REPOS = path.resolve(process.env.HIVESYNC_TEST_REPOS ?? path.join(ROOT, '..', 'shared', 'data', 'repos'));
/** The tree's size; smaller values make a quick trial of the suite (the figures name the size measured). */
const MAX_FILES = Number(process.env.HIVESYNC_BENCH_LARGE_FILES ?? 100_000);
const MAX_BYTES = Number(process.env.HIVESYNC_BENCH_LARGE_BYTES ?? 1_000_000_000);
const RSS_GOAL = 300 * 1024 * 1024;
/** The API's largest page (`limit`): clients page through more. */
const API_PAGE = 10_000;

/**
 * Identifiers of 12+ characters that the tree's code files hold 1 to 3 times in all (so in 1 to 3 files):
 * every one of them is counted in one `rg -o` pass over the checkout (its files are named `<path>@<blob id>`), and
 * `want` are taken evenly spaced in sorted order, whatever the index makes of them (picking words the index answers
 * quickly would flatter it). Not blob ids
 * from the files' first lines: a 40-digit hex id is rare, but its trigrams are all in every file that lists many
 * commit hashes (changelogs), so it measures those files rather than a rare word.
 */
async function rareInTree(checkout: string, want: number): Promise<string[]> {
  const counts = new Map<string, number>();
  const child = spawn(
    RG,
    [
      '-uu',
      '-o',
      '--no-filename',
      '--no-line-number',
      '-g',
      '*.{ts,js,vue}@*',
      '-e',
      '\\b[A-Za-z_][A-Za-z0-9_]{11,}\\b',
      '.',
    ],
    { cwd: checkout, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  for await (const word of readline.createInterface({ input: child.stdout })) {
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  // (Hex strings are ids, the files' first lines among them: not words.)
  const rare = [...counts].filter(([w, n]) => n <= 3 && !/^[0-9a-f]+$/i.test(w)).map(([w]) => w);
  rare.sort();
  // Evenly spaced, each confirmed in 1 to 3 files of any kind (the count above read the code files only).
  const out: string[] = [];
  const step = Math.max(1, Math.floor(rare.length / (want * 4)));
  for (let i = Math.floor(step / 2); out.length < want && i < rare.length; i += step) {
    const holding = execFileSync(RG, ['-uu', '-l', '-F', '-e', rare[i]!, '.'], {
      cwd: checkout,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .split('\n')
      .filter(Boolean).length;
    if (holding >= 1 && holding <= 3) out.push(rare[i]!);
  }
  if (out.length < want) throw new Error(`search large tree: only ${out.length} rare identifiers found`);
  return out;
}

/**
 * The search index on a large tree built from real files (bench/lib/large-tree.ts): every version of every file of
 * vue core's and express's histories under a path of its own, about 100,000 files and 1 GB, one commit plus five
 * that each change 1% of the files. Each figure against ripgrep on a checkout of the same commit in the same run;
 * the searches run in a process of their own that does nothing else (as an API instance), whose peak RSS is the
 * memory figure; then end to end, the rare literals and regexes through GET /repo/search of a HiveSync server that
 * synced the tree at that commit (branch `bench-head`).
 */
export const searchLarge: Suite = {
  name: 'search large tree',
  embeddedOnly: true,
  async run({ rounds, label }): Promise<Figure[]> {
    const sources = ['core', 'express'].map((name) => ({ name, gitDir: path.join(REPOS, `${name}.git`) }));
    for (const s of sources) {
      if (!fs.existsSync(path.join(s.gitDir, 'HEAD'))) throw new Error(`search large tree: no ${s.gitDir}`);
    }
    const log = (line: string) => process.stderr.write(`  ${line}\n`);
    // The tree is kept between runs (it takes minutes to build); everything else is made anew.
    const tree = await buildLargeTree({
      sources,
      maxFiles: MAX_FILES,
      maxBytes: MAX_BYTES,
      laterCommits: 5,
      changeFraction: 0.01,
      dir: path.join(os.tmpdir(), `hivesync-bench-large-tree-${MAX_FILES}-${MAX_BYTES}`),
      log,
    });
    const size = `${Math.round(tree.files / 1000)}k files, ${(tree.bytes / 1e9).toFixed(2)} GB`;
    log(`large tree: ${size}${tree.buildMs ? ` (built in ${Math.round(tree.buildMs / 1000)} s)` : ' (reused)'}`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-bench-large-'));
    try {
      const head = tree.commits[0]!;
      const checkout = path.join(dir, 'checkout');
      fs.mkdirSync(checkout);
      execFileSync('sh', ['-c', 'git --git-dir="$1" archive "$2" | tar -x -C "$3"', 'sh', tree.gitDir, head, checkout]);

      // The full first index, in this process.
      const indexDir = path.join(dir, 'index');
      const index = new SearchIndex(indexDir);
      const gitEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
      log('large tree: indexing');
      const full = await index.indexCommit({ gitDir: tree.gitDir, env: gitEnv }, head);
      const stats = await index.stats();

      // Searches, in a process that does nothing else.
      const searcher = await startSearcher(indexDir);
      // What the process takes before its first search (Node.js, tsx, the index's manifest): the floor of the peak.
      const atStart = (await searcher.rss()).now;
      let peak = 0;
      try {
        const search = (q: SearchQuery, all = false) =>
          searcher.search(head, { limit: LIMIT, timeBudgetMs: 60_000, ...q }, all);
        const firstSearch = await time(() => search({ q: 'warm_up_query' }));
        await rg(checkout, ['-F', '-e', 'warm_up_query']);
        // Rare words of the tree (counted over the checkout).
        const words = await rareInTree(checkout, Math.max(rounds, 5));
        log(`large tree: rare words ${words.join(', ')}`);
        const n = words.length;
        const warmWords = warmUpWords(checkout, '*.ts@*', WARM_UP_WORDS, words);
        await warmUp(warmWords, (q, regex) => search({ q, regex }));
        await warmUpCounts((q) => search({ q, count: true }, true));
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
        const common = ['const', 'return', 'function', 'export', 'import'];
        const commonFirst = await alternate({
          rounds: Math.max(rounds, 5),
          baseline: (r) => rg(checkout, ['-F', '-e', common[r % common.length]!]),
          subject: (r) => time(() => search({ q: common[r % common.length]! })),
        });
        let counted = 0;
        const commonAll = await alternate({
          rounds: Math.max(rounds, 5),
          // rg -c: ripgrep counting (per file) rather than printing every line.
          baseline: (r) => rg(checkout, ['-c', '-F', '-e', common[r % common.length]!], Infinity),
          subject: (r) =>
            time(async () => {
              const page = await search({ q: common[r % common.length]!, count: true }, true);
              counted = Math.max(counted, page.matches);
            }),
        });
        const dirs = ['c0/core/packages/runtime-core', 'c0/core/packages/compiler-core', 'c0/express/lib'].filter((d) =>
          fs.existsSync(path.join(checkout, d)),
        );
        if (dirs.length === 0) dirs.push('c0');
        const pathFiltered = await alternate({
          rounds: Math.max(rounds, 5),
          baseline: (r) => rg(checkout, ['-F', '-e', 'const'], LIMIT, [dirs[r % dirs.length]!]),
          subject: (r) => time(() => search({ q: 'const', path: dirs[r % dirs.length]! })),
        });
        const names = ['runtime', 'component', 'compiler', 'reactive', 'router'];
        const fileNames = await alternate({
          rounds: Math.max(rounds, 5),
          baseline: (r) => rgFiles(checkout, names[r % names.length]!),
          subject: (r) => time(() => search({ q: names[r % names.length]!, files: true })),
        });
        const scans = ['\\d{3,}px', '[0-9]+\\.[0-9]+e', '\\s{4}\\}\\)', '[A-Z]{5}\\d'];
        const scan = await alternate({
          rounds: Math.max(rounds, 5),
          baseline: (r) => rg(checkout, ['-e', scans[r % scans.length]!], Infinity),
          subject: (r) => time(() => search({ q: scans[r % scans.length]!, regex: true, limit: API_PAGE }, true)),
        });
        peak = (await searcher.rss()).peak;

        // Incremental: each later commit (1% of the files changed) fetched into a mirror, then indexed.
        const mirror = path.join(dir, 'mirror.git');
        execFileSync('git', ['init', '-q', '--bare', mirror]);
        execFileSync('git', ['--git-dir', mirror, 'fetch', '-q', tree.gitDir, `${head}:refs/heads/main`]);
        const later = tree.commits.slice(1);
        const incremental = await alternate({
          rounds: Math.min(later.length, Math.max(rounds, 5)),
          baseline: (r) =>
            time(async () =>
              execFileSync('git', ['--git-dir', mirror, 'fetch', '-q', tree.gitDir, `+${later[r]!}:refs/heads/main`]),
            ),
          subject: (r) => time(() => index.indexCommit({ gitDir: mirror, env: gitEnv }, later[r]!)),
        });
        await index.close();

        // End to end: GET /repo/search of a HiveSync server (embedded) that synced the tree at the checkout's commit.
        execFileSync('git', ['--git-dir', tree.gitDir, 'update-ref', 'refs/heads/bench-head', head]);
        const hive = await startHiveSync({ HIVESYNC_ALLOW_LOCAL_REPOS: 'true' });
        let apiRare: Rounds;
        let apiRegex: Rounds;
        try {
          const session = await benchSession(hive.url);
          const project = await session.json<{ id: string }>('POST', '/api/v1/projects', {
            name: 'large-tree',
            repo_url: tree.gitDir,
            branch: 'bench-head',
          });
          log('large tree: a server syncs it');
          const synced = await session.syncAndWait(project.id, 500);
          log(`large tree: synced in ${Math.round(synced.duration_ms / 1000)} s`);
          // The sync wrote a checkout and an index of a GB each: flushed to disk before timing, so that the kernel's
          // writeback does not land on one side of the rounds (rg took 2.5x as long while it ran).
          execFileSync('sync');
          // After a sync the server keeps busy for a while (its spare worktree, a gigabyte, is checked out in the
          // background): rounds start once rg on the checkout takes no longer than in the server-side rounds.
          const quiet = median(rare.baselines) * 1.3;
          const waited = Date.now();
          while (Date.now() - waited < 300_000 && (await rg(checkout, ['-F', '-e', words[0]!])) > quiet) {
            await new Promise((r) => setTimeout(r, 2000));
          }
          log(`large tree: the server was quiet after ${Math.round((Date.now() - waited) / 1000)} s`);
          const viaApi = (q: string, regex = false) =>
            session.json(
              'GET',
              `/api/v1/repo/search?project_id=${project.id}&q=${encodeURIComponent(q)}&limit=${LIMIT}&regex=${regex}`,
            );
          await viaApi('warm_up_query');
          await warmUp(warmWords, viaApi);
          apiRare = await alternate({
            rounds: n,
            baseline: (r) => rg(checkout, ['-F', '-e', words[r]!]),
            subject: (r) => time(() => viaApi(words[r]!)),
          });
          apiRegex = await alternate({
            rounds: n,
            baseline: (r) => rg(checkout, ['-e', regexes[r]!]),
            subject: (r) => time(() => viaApi(regexes[r]!, true)),
          });
        } finally {
          await hive.stop();
        }

        const row = (name: string, r: Rounds, goal: number, baseline = 'rg on a checkout'): Figure => ({
          suite: 'search large tree',
          name: `${size}: ${name} (${label})`,
          value: `${ms(median(r.subjects))} ms`,
          baseline: `${baseline}: ${ms(median(r.baselines))} ms`,
          ...ratioFields(r),
          goal: `≤ ${goal.toFixed(1)} × ${baseline.split(' ')[0]}`,
          met: r.median <= goal,
        });
        const mb = stats.text_bytes / 1e6;
        return [
          row(`rare literal, server-side (median of ${n})`, rare, 0.1),
          row(`regex with trigrams, server-side (median of ${n})`, rareRegex, 0.1),
          row(`rare literal through the API (median of ${n})`, apiRare, 0.1),
          row(`regex with trigrams through the API (median of ${n})`, apiRegex, 0.1),
          row(`common literal, first ${LIMIT}, server-side`, commonFirst, 0.2),
          row(`common literal, the full count (up to ${counted} lines), server-side`, commonAll, 0.2, 'rg -c'),
          row(`path-filtered literal, first ${LIMIT}, server-side`, pathFiltered, 0.2),
          row('file-name search, server-side', fileNames, 0.2, 'rg --files'),
          row(`regex without trigrams (a scan), all matches (pages of ${API_PAGE}), server-side`, scan, 1.0),
          row('incremental index of a commit changing 1% of the files', incremental, 2.0, 'git fetch of it'),
          {
            suite: 'search large tree',
            name: `${size}: the first search of a fresh process (a literal; the rounds above follow ${2 * warmWords.length} warm-up searches and ${2 * WARM_UP_COUNTS.length} counts of other words) (${label})`,
            value: `${ms(firstSearch)} ms`,
            baseline: 'none (reported)',
            ratio: 1,
            goal: 'report',
            met: undefined,
          },
          {
            suite: 'search large tree',
            name: `${size}: RSS of a process searching it (peak) (${label})`,
            value: `${(peak / 1048576).toFixed(0)} MB (${(atStart / 1048576).toFixed(0)} MB before the first search)`,
            baseline: 'none (the goal)',
            ratio: peak / RSS_GOAL,
            goal: '< 300 MB',
            met: peak < RSS_GOAL,
          },
          {
            suite: 'search large tree',
            name: `${size}: index size on disk / indexed text (${label})`,
            value: `${(stats.disk_bytes / 1e6).toFixed(0)} MB for ${mb.toFixed(0)} MB of text`,
            baseline: 'the indexed text',
            ratio: stats.disk_bytes / stats.text_bytes,
            goal: '≤ 1.5 × the text',
            met: stats.disk_bytes / stats.text_bytes <= 1.5,
          },
          {
            suite: 'search large tree',
            name: `${size}: full first index, ${full.files} files (${label})`,
            value: `${(mb / (full.ms / 1000)).toFixed(1)} MB/s (${Math.round(full.ms / 1000)} s)`,
            baseline: 'none (reported)',
            ratio: 1,
            goal: 'report MB/s',
            met: undefined,
          },
        ];
      } finally {
        await searcher.stop();
      }
    } finally {
      await stopRg();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
