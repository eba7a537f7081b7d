import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { IndexFormatError } from './format.js';
import { IndexMissingError, SearchIndex, type SearchPage, type SearchQuery } from './search-index.js';
import { SearchQueryError } from './matcher.js';
import { SearchPool } from './search-pool.js';
import { SegmentReader } from './segment-reader.js';
import { cloneTestRepo, skipWithoutTestRepos } from './test/test-repos.js';

const env = process.env;
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-search-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

function git(gitDir: string, ...args: string[]): string {
  return execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
}

/** `git grep` at a commit, as "path:line:column:text" lines (one per matching line, text files only). */
function gitGrep(gitDir: string, commit: string, flags: string[], q: string, pathspec: string[] = []): string[] {
  let out: Buffer;
  try {
    out = execFileSync(
      'git',
      ['--git-dir', gitDir, 'grep', '-n', '--column', '-I', '-z', ...flags, '-e', q, commit, '--', ...pathspec],
      { maxBuffer: 1 << 28 },
    );
  } catch (err) {
    if ((err as { status?: number }).status === 1) return [];
    throw err;
  }
  const lines: string[] = [];
  for (const rec of out.toString('utf8').split('\n')) {
    if (rec === '') continue;
    const [file, line, col, ...text] = rec.split('\0');
    lines.push(`${file!.slice(commit.length + 1)}:${line}:${col}:${text.join('\0')}`);
  }
  return lines;
}

async function all(index: SearchIndex, commit: string, q: SearchQuery): Promise<SearchPage> {
  return index.search(commit, { limit: 1_000_000, maxBytes: 1 << 30, timeBudgetMs: 120_000, ...q });
}

function asLines(page: SearchPage): string[] {
  return page.matches.map((m) => `${m.path}:${m.line}:${m.column}:${m.text}`);
}

/** A small repository made in a temp dir: `commit({path: content})` makes one commit and returns its id. */
function scratchRepo(name: string) {
  const work = path.join(tmpRoot, name);
  fs.mkdirSync(work, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main', work]);
  return {
    gitDir: path.join(work, '.git'),
    commit(files: Record<string, string | null>): string {
      for (const [p, content] of Object.entries(files)) {
        const file = path.join(work, p);
        if (content === null) fs.rmSync(file);
        else {
          fs.mkdirSync(path.dirname(file), { recursive: true });
          fs.writeFileSync(file, content);
        }
      }
      execFileSync('git', ['-C', work, 'add', '-A']);
      execFileSync('git', ['-C', work, '-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-q', '-m', 'c'], {
        env: { ...env, GIT_COMMITTER_DATE: '2020-01-01T00:00:00Z', GIT_AUTHOR_DATE: '2020-01-01T00:00:00Z' },
      });
      return execFileSync('git', ['-C', work, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    },
  };
}

describe.skipIf(skipWithoutTestRepos('express', 'core'))('search index on real repositories', () => {
  let express: string;
  let core: string;
  let expressHead: string;
  let coreHead: string;
  let expressIndex: SearchIndex;
  let coreIndex: SearchIndex;
  // The same indexes searched with a pool of threads reading the files (scans, counts, later pages, large pages).
  const pool = new SearchPool(2);
  let expressPooled: SearchIndex;
  let corePooled: SearchIndex;
  const modes = ['', ' (pool)'] as const;
  const pick = (mode: (typeof modes)[number], serial: SearchIndex, pooled: SearchIndex) =>
    mode === '' ? serial : pooled;

  beforeAll(async () => {
    express = cloneTestRepo('express', tmpRoot);
    core = cloneTestRepo('core', tmpRoot);
    expressHead = git(express, 'rev-parse', 'HEAD').trim();
    coreHead = git(core, 'rev-parse', 'HEAD').trim();
    expressIndex = new SearchIndex(path.join(tmpRoot, 'idx-express'));
    coreIndex = new SearchIndex(path.join(tmpRoot, 'idx-core'));
    await expressIndex.indexCommit({ gitDir: express, env }, expressHead);
    await coreIndex.indexCommit({ gitDir: core, env }, coreHead);
    // (Every read that may go to the pool goes: these repositories are below the default's few MB.)
    expressPooled = new SearchIndex(path.join(tmpRoot, 'idx-express'), { pool, poolMinBytes: 0 });
    corePooled = new SearchIndex(path.join(tmpRoot, 'idx-core'), { pool, poolMinBytes: 0 });
  }, 240_000);
  afterAll(async () => {
    await expressIndex.close();
    await coreIndex.close();
    await expressPooled.close();
    await corePooled.close();
    await pool.close();
  });

  // Each case: our query, and the same search as git grep flags (-P for regular expressions: PCRE agrees with RE2 on
  // these), with an optional pathspec.
  const cases: [string, SearchQuery, string[], string[]?][] = [
    ['literal', { q: 'res.send(' }, ['-F']],
    ['literal, common', { q: 'function' }, ['-F']],
    ['literal, ignoring case', { q: 'Content-Type', ignoreCase: true }, ['-F', '-i']],
    ['literal, whole word', { q: 'app', word: true }, ['-F', '-w']],
    ['regex with trigrams', { q: 'res\\.send\\w*\\(', regex: true }, ['-P']],
    ['regex alternation', { q: '\\bnew (Error|TypeError)\\(', regex: true }, ['-P']],
    ['regex anchored', { q: '^\\s*(module\\.)?exports\\.\\w+ =', regex: true }, ['-P']],
    ['regex class and count', { q: '[0-9]{1,2}\\.[0-9]+\\.[0-9]+', regex: true }, ['-P']],
    ['regex ignoring case', { q: 'todo|fixme', regex: true, ignoreCase: true }, ['-P', '-i']],
    ['regex without trigrams', { q: 'x\\d', regex: true }, ['-P']],
    ['path prefix', { q: 'req', path: 'lib' }, ['-F'], ['lib']],
  ];

  for (const mode of modes)
    for (const [name, q, flags, pathspec] of cases) {
      it(`express: ${name} equals git grep${mode}`, async () => {
        const index = pick(mode, expressIndex, expressPooled);
        const ours = await all(index, expressHead, q);
        const theirs = gitGrep(express, expressHead, flags, q.q, pathspec);
        expect(theirs.length).toBeGreaterThan(0);
        expect(asLines(ours)).toEqual(theirs);
        expect(ours.truncated).toBe(false);
        expect((await index.search(expressHead, { ...q, count: true })).count).toBe(theirs.length);
      });
    }

  const coreCases: [string, SearchQuery, string[], string[]?][] = [
    ['literal', { q: 'createApp(' }, ['-F']],
    ['literal ignoring case', { q: 'vnode', ignoreCase: true }, ['-F', '-i']],
    ['regex', { q: 'use[A-Z][a-z]+\\(', regex: true }, ['-P']],
    ['regex, optional groups', { q: 'export (default )?function \\w+', regex: true }, ['-P']],
    ['whole word', { q: 'ref', word: true }, ['-F', '-w']],
    [
      'glob',
      { q: 'defineComponent', glob: 'packages/runtime-core/src/**/*.ts' },
      ['-F'],
      [':(glob)packages/runtime-core/src/**/*.ts'],
    ],
  ];
  for (const mode of modes)
    for (const [name, q, flags, pathspec] of coreCases) {
      it(`vue core: ${name} equals git grep${mode}`, async () => {
        const index = pick(mode, coreIndex, corePooled);
        const ours = await all(index, coreHead, q);
        const theirs = gitGrep(core, coreHead, flags, q.q, pathspec);
        expect(theirs.length).toBeGreaterThan(0);
        expect(asLines(ours)).toEqual(theirs);
        expect((await index.search(coreHead, { ...q, count: true })).count).toBe(theirs.length);
      });
    }

  it.each(modes)(
    'a count stopped by the time budget counts on from its cursor, adding up to the whole count%s',
    async (mode) => {
      const index = pick(mode, coreIndex, corePooled);
      const q: SearchQuery = { q: 'const', count: true };
      const whole = (await coreIndex.search(coreHead, q)).count!;
      expect(whole).toBeGreaterThan(1000);
      expect((await index.search(coreHead, q)).count).toBe(whole);
      let sum = 0;
      let cursor: string | undefined;
      let pages = 0;
      for (; pages < 100_000; pages++) {
        const page = await index.search(coreHead, { ...q, timeBudgetMs: 0, cursor });
        expect(page.matches).toEqual([]);
        sum += page.count!;
        if (!page.next) break;
        expect(page.timed_out).toBe(true);
        cursor = page.next;
      }
      expect(pages).toBeGreaterThan(1);
      expect(sum).toBe(whole);
      const names = await coreIndex.search(coreHead, { q: 'runtime', files: true, count: true });
      expect(names.count).toBe((await all(coreIndex, coreHead, { q: 'runtime', files: true })).files.length);
    },
  );

  it('a rare literal reads only the files that hold it (the index, not a scan)', async () => {
    const page = await all(coreIndex, coreHead, { q: 'shallowReadonlyMap' });
    expect(page.scan).toBe(false);
    const holding = new Set(gitGrep(core, coreHead, ['-F', '-i'], 'shallowReadonlyMap').map((l) => l.split(':')[0]));
    expect(page.files_read).toBeLessThanOrEqual(holding.size + 2);
    expect(page.matches.length).toBeGreaterThan(0);
  });

  it('a regex with no usable trigram says it scanned', async () => {
    const page = await expressIndex.search(expressHead, { q: '\\d+', regex: true, limit: 5 });
    expect(page.scan).toBe(true);
    expect(page.truncated).toBe(true);
  });

  it.each(modes)('pages with the cursor add up to the whole answer, in path order%s', async (mode) => {
    const index = pick(mode, expressIndex, expressPooled);
    const q: SearchQuery = { q: 'require(' };
    const whole = asLines(await all(expressIndex, expressHead, q));
    const paged: string[] = [];
    let cursor: string | undefined;
    for (let n = 0; n < 1000; n++) {
      const page = await index.search(expressHead, { ...q, limit: 37, cursor });
      paged.push(...asLines(page));
      if (!page.next) break;
      expect(page.truncated).toBe(true);
      cursor = page.next;
    }
    expect(paged).toEqual(whole);
    const paths = whole.map((l) => l.split(':')[0]!);
    expect(paths).toEqual([...paths].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    await expect(expressIndex.search(expressHead, { q: 'other', cursor })).rejects.toThrow(SearchQueryError);
  });

  it('context lines, language filter and file-name search', async () => {
    const page = await expressIndex.search(expressHead, { q: 'function createApplication', context: 2 });
    const m = page.matches.find((x) => x.path === 'lib/express.js')!;
    const file = git(express, 'show', `${expressHead}:lib/express.js`).split('\n');
    expect(m.before).toEqual(file.slice(m.line - 3, m.line - 1));
    expect(m.after).toEqual(file.slice(m.line, m.line + 2));

    const md = await all(expressIndex, expressHead, { q: 'express', lang: 'markdown' });
    expect(md.matches.length).toBeGreaterThan(0);
    expect(md.matches.every((x) => x.path.endsWith('.md'))).toBe(true);

    const files = await all(coreIndex, coreHead, { q: 'runtime-core/src/component', files: true });
    const expected = git(core, 'ls-tree', '-r', '--name-only', coreHead)
      .split('\n')
      .filter((p) => p.includes('runtime-core/src/component'));
    expect(files.files.map((f) => f.path)).toEqual(expected);
  });

  it('with a pool, every page, its cursor and where a limit or the byte budget stops it equal one thread', async () => {
    const queries: SearchQuery[] = [
      { q: 'x\\d', regex: true, limit: 40 },
      { q: 'const', context: 2, limit: 500, maxBytes: 40_000 },
      { q: 'vnode', ignoreCase: true, limit: 250 },
      { q: 'export', path: 'packages/runtime-core', limit: 120 },
    ];
    const shape = (p: SearchPage) => ({ ...p, files_read: undefined });
    for (const q of queries) {
      let cursor: string | undefined;
      let pages = 0;
      for (; pages < 500; pages++) {
        const one = await coreIndex.search(coreHead, { ...q, cursor });
        const pooled = await corePooled.search(coreHead, { ...q, cursor });
        expect(shape(pooled)).toEqual(shape(one));
        if (!one.next) break;
        cursor = one.next;
      }
      expect(pages, q.q).toBeGreaterThan(1);
    }
    expect(pool.threads).toBe(2);
  });

  it('a count on the pool lets other work run between its chunks (the calling thread is not held)', async () => {
    // How many turns of the event loop other work gets while a count (its index opened already) runs.
    const turnsDuring = async (index: SearchIndex) => {
      await index.search(coreHead, { q: 'const', count: true });
      let turns = 0;
      let done = false;
      const turn = () => {
        turns++;
        if (!done) setImmediate(turn);
      };
      setImmediate(turn);
      const page = await index.search(coreHead, { q: 'const', count: true });
      done = true;
      expect(page.count).toBeGreaterThan(1000);
      return turns;
    };
    expect(await turnsDuring(coreIndex)).toBe(0);
    expect(await turnsDuring(corePooled)).toBeGreaterThan(2);
    // Below poolMinBytes (16 MiB by default; vue core is 5.8 MB), a count is read here alone, at once.
    const small = new SearchIndex(path.join(tmpRoot, 'idx-core'), { pool });
    expect(await turnsDuring(small)).toBe(0);
    await small.close();
  });

  it('a pool that is closed fails a search that needs it, clearly', async () => {
    const closing = new SearchPool(1);
    const index = new SearchIndex(path.join(tmpRoot, 'idx-core'), { pool: closing, poolMinBytes: 0 });
    const scan = index.search(coreHead, { q: '\\w', regex: true, count: true });
    await closing.close();
    await expect(scan).rejects.toThrow(/closed|stopped/);
    await index.close();
  });

  it('indexing after more commits reads only new blobs and equals a full rebuild', async () => {
    const old = git(express, 'rev-parse', `${expressHead}~150`).trim();
    const incremental = new SearchIndex(path.join(tmpRoot, 'idx-incremental'));
    await incremental.indexCommit({ gitDir: express, env }, old);
    const report = await incremental.indexCommit({ gitDir: express, env }, expressHead);
    const blobs = (c: string) =>
      new Set(
        git(express, 'ls-tree', '-r', c)
          .split('\n')
          .filter((l) => l.includes(' blob '))
          .map((l) => l.split(/\s+/)[2]!),
      );
    const before = blobs(old);
    const fresh = [...blobs(expressHead)].filter((b) => !before.has(b));
    expect(report.new_blobs).toBe(fresh.length);
    expect(report.new_blobs).toBeLessThan(blobs(expressHead).size);

    for (const q of [
      { q: 'res.send(' },
      { q: 'req\\.\\w+', regex: true },
      { q: 'Router', ignoreCase: true },
    ] as SearchQuery[]) {
      expect(asLines(await all(incremental, expressHead, q))).toEqual(asLines(await all(expressIndex, expressHead, q)));
    }
    // Both commits answer; dropping the old one keeps the new one whole.
    expect((await all(incremental, old, { q: 'res.send(' })).matches.length).toBeGreaterThan(0);
    await incremental.gc([expressHead]);
    await expect(incremental.search(old, { q: 'x' })).rejects.toThrow(IndexMissingError);
    expect(asLines(await all(incremental, expressHead, { q: 'res.send(' }))).toEqual(
      asLines(await all(expressIndex, expressHead, { q: 'res.send(' })),
    );
  }, 120_000);

  it('index size on disk stays within 1.5x of the indexed text', async () => {
    const s = await coreIndex.stats();
    expect(s.disk_bytes / s.text_bytes).toBeLessThan(1.5);
  });
});

describe('search index on a scratch repository', () => {
  it('an invalid regex is a clear error; an empty or huge query too', async () => {
    const repo = scratchRepo('invalid');
    const c = repo.commit({ 'a.txt': 'hello\n' });
    const index = new SearchIndex(path.join(tmpRoot, 'idx-invalid'));
    await index.indexCommit({ gitDir: repo.gitDir, env }, c);
    await expect(index.search(c, { q: 'a(b', regex: true })).rejects.toThrow(/missing closing \)/);
    await expect(index.search(c, { q: '' })).rejects.toThrow(SearchQueryError);
    await expect(index.search(c, { q: 'x'.repeat(1001) })).rejects.toThrow(SearchQueryError);
    await expect(index.search(c, { q: 'x', lang: 'klingon' })).rejects.toThrow(SearchQueryError);
    await expect(index.search('0'.repeat(40), { q: 'x' })).rejects.toThrow(IndexMissingError);
  });

  it('a blob over maxBlobBytes is listed but not indexed, in the first commit and in a later one', async () => {
    const repo = scratchRepo('large-blobs');
    const c1 = repo.commit({ 'small.txt': 'needle small\n', 'big.txt': `needle big\n${'x'.repeat(200)}\n` });
    const c2 = repo.commit({ 'big2.txt': `needle later\n${'y'.repeat(200)}\n`, 'small2.txt': 'needle later small\n' });
    const index = new SearchIndex(path.join(tmpRoot, 'idx-large-blobs'), { maxBlobBytes: 100 });
    const first = await index.indexCommit({ gitDir: repo.gitDir, env }, c1);
    expect(first).toMatchObject({ files: 2, new_blobs: 2 });
    expect(first.new_bytes).toBe('needle small\n'.length);
    expect((await all(index, c1, { q: 'needle' })).matches.map((m) => m.path)).toEqual(['small.txt']);
    const later = await index.indexCommit({ gitDir: repo.gitDir, env }, c2);
    expect(later).toMatchObject({ files: 4, new_blobs: 2 });
    expect((await all(index, c2, { q: 'needle' })).matches.map((m) => m.path)).toEqual(['small.txt', 'small2.txt']);
  });

  it('a regex catastrophic for a backtracking engine answers at once', async () => {
    const repo = scratchRepo('catastrophic');
    const c = repo.commit({ 'long.txt': `${'a'.repeat(200_000)}\n`, 'b.txt': 'aaab\n' });
    const index = new SearchIndex(path.join(tmpRoot, 'idx-catastrophic'));
    await index.indexCommit({ gitDir: repo.gitDir, env }, c);
    const started = Date.now();
    const page = await index.search(c, { q: '(a*)*b', regex: true });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(page.matches.map((m) => m.path)).toEqual(['b.txt']);
    expect(page.scan).toBe(true);
  });

  it('case-sensitive matches are verified against the folded index', async () => {
    const repo = scratchRepo('case');
    const c = repo.commit({ 'a.txt': 'FooBar\nfoobar\nFOOBAR\n', 'bin.dat': 'FooBar\0binary\n' });
    const index = new SearchIndex(path.join(tmpRoot, 'idx-case'));
    await index.indexCommit({ gitDir: repo.gitDir, env }, c);
    expect((await index.search(c, { q: 'FooBar' })).matches.map((m) => m.line)).toEqual([1]);
    expect((await index.search(c, { q: 'foobar', ignoreCase: true })).matches.map((m) => m.line)).toEqual([1, 2, 3]);
    expect((await index.search(c, { q: 'FOO[B]AR', regex: true })).matches.map((m) => m.line)).toEqual([3]);
  });

  it('a large file is indexed in documents: a word whose trigrams are spread over it is not a candidate', async () => {
    const repo = scratchRepo('documents');
    // 3,000 lines of 20 bytes (60 KB: four documents of 16 KiB). "alphab" only in the first lines, "abeta" only in
    // the last: the file holds every trigram of "alphabeta", but no document holds them all.
    const filler = (i: number) => `line ${String(i).padStart(5, '0')} filler\n`;
    const lines = Array.from({ length: 3000 }, (_, i) => filler(i));
    lines[10] = 'const alphab = 1;\n';
    lines[2990] = 'const abeta = 2;\n';
    const spread = lines.join('');
    const found = [...lines];
    found[100] = 'alphabeta(1);\n';
    found[2500] = 'alphabeta();\n';
    // A minified file: one line of 40 KB is one document (a line is never cut).
    const minified = `${'x'.repeat(20_000)}alphabeta${'y'.repeat(20_000)}\n`;
    const c = repo.commit({ 'spread.js': spread, 'found.js': found.join(''), 'min.js': minified });
    const index = new SearchIndex(path.join(tmpRoot, 'idx-documents'));
    await index.indexCommit({ gitDir: repo.gitDir, env }, c);
    const page = await index.search(c, { q: 'alphabeta' });
    expect(page.matches.map((m) => `${m.path}:${m.line}:${m.column}`)).toEqual([
      'found.js:101:1',
      'found.js:2501:1',
      'min.js:1:20001',
    ]);
    // spread.js is not read: only the two files that hold the word.
    expect(page.files_read).toBe(2);
    // Only found.js's two documents that hold it are read; pages and counts follow them.
    const first = await index.search(c, { q: 'alphabeta', limit: 1 });
    expect(first.matches.map((m) => m.line)).toEqual([101]);
    const second = await index.search(c, { q: 'alphabeta', limit: 1, cursor: first.next! });
    expect(second.matches.map((m) => `${m.path}:${m.line}`)).toEqual(['found.js:2501']);
    expect((await index.search(c, { q: 'alphabeta', count: true })).count).toBe(3);
    expect((await index.search(c, { q: 'alphabeta', regex: true, ignoreCase: true, count: true })).count).toBe(3);
    // The lines around a document's end are found, each on its own line number.
    for (const at of [818, 819, 820, 1638, 1639]) {
      const q = filler(at).trim();
      expect((await index.search(c, { q, path: 'spread.js' })).matches.map((m) => m.line)).toEqual([at + 1]);
    }
  });

  it('a file whose documents partly hold a word reads each run of them at once, or all of it when they are most', async () => {
    const repo = scratchRepo('document-runs');
    // 10,000 lines of 20 bytes: 13 documents of about 16 KiB (819 lines). "betagamma" in documents 2, 3 and 9 of
    // few.js (two runs); in documents 0 to 8 of most.js (more than half its text).
    const filler = (i: number) => `line ${String(i).padStart(5, '0')} filler\n`;
    const file = (at: number[]) => {
      const lines = Array.from({ length: 10_000 }, (_, i) => filler(i));
      for (const line of at) lines[line] = `  betagamma(${line}); betagamma\n`;
      return lines.join('');
    };
    const few = [1700, 2000, 2700, 7500];
    const most = Array.from({ length: 9 }, (_, d) => 100 + 819 * d);
    const c = repo.commit({ 'few.js': file(few), 'most.js': file(most) });
    const index = new SearchIndex(path.join(tmpRoot, 'idx-document-runs'));
    await index.indexCommit({ gitDir: repo.gitDir, env }, c);
    const want = [...few.map((l) => `few.js:${l + 1}:3`), ...most.map((l) => `most.js:${l + 1}:3`)];
    const ranges = vi.spyOn(SegmentReader.prototype, 'rangeNow');
    try {
      const page = await index.search(c, { q: 'betagamma', limit: 1000 });
      expect(page.matches.map((m) => `${m.path}:${m.line}:${m.column}`)).toEqual(want);
      // few.js: documents 2 and 3 in one read, 9 in another; most.js read whole (not through rangeNow).
      expect(ranges.mock.calls).toHaveLength(2);
      // Pages of one match continue from their cursors through both runs.
      const lines: string[] = [];
      for (let next: string | null | undefined = undefined; ;) {
        const p1: SearchPage = await index.search(c, { q: 'betagamma', limit: 1, ...(next && { cursor: next }) });
        lines.push(...p1.matches.map((m) => `${m.path}:${m.line}:${m.column}`));
        if (!p1.next) break;
        next = p1.next;
      }
      expect(lines).toEqual(want);
      expect((await index.search(c, { q: 'betagamma', count: true })).count).toBe(want.length);
      expect((await index.search(c, { q: 'betagamma', path: 'few.js', count: true })).count).toBe(few.length);
    } finally {
      ranges.mockRestore();
    }
  });

  it('a case-sensitive search reads only the documents holding its trigrams in its case', async () => {
    const repo = scratchRepo('cases');
    // 20 files hold github and actions in lower or mixed case; one holds GITHUB_ACTIONS, one GitHub_Actions.
    const files: Record<string, string> = {};
    for (let i = 0; i < 20; i++) {
      files[`lower${String(i).padStart(2, '0')}.js`] = `// see https://github.com/x/y/actions (${i})\nGitHub.ci = 1;\n`;
    }
    files['upper.yml'] = 'if: env.GITHUB_ACTIONS == true\n';
    files['mixed.md'] = 'Runs on GitHub_Actions.\n';
    const c = repo.commit(files);
    const index = new SearchIndex(path.join(tmpRoot, 'idx-cases'));
    await index.indexCommit({ gitDir: repo.gitDir, env }, c);
    const where = (p: SearchPage) => p.matches.map((m) => `${m.path}:${m.line}`);
    const literal = await index.search(c, { q: 'GITHUB_ACTIONS' });
    expect(where(literal)).toEqual(['upper.yml:1']);
    expect(literal.files_read).toBe(1);
    const regex = await index.search(c, { q: 'GITHUB\\w*IONS\\b', regex: true });
    expect(where(regex)).toEqual(['upper.yml:1']);
    expect(regex.files_read).toBe(1);
    const mixed = await index.search(c, { q: 'GitHub_', regex: true });
    expect(where(mixed)).toEqual(['mixed.md:1']);
    expect(mixed.files_read).toBe(1);
    // Ignoring case, every file is a candidate and two match.
    const folded = await index.search(c, { q: 'github_actions', ignoreCase: true });
    expect(where(folded)).toEqual(['mixed.md:1', 'upper.yml:1']);
    expect((await index.search(c, { q: 'GITHUB', ignoreCase: true })).files_read).toBe(22);
    // Lower case alone is kept without a byte of cases, and found.
    expect(where(await index.search(c, { q: 'github.com/x', path: 'lower03.js' }))).toEqual(['lower03.js:1']);
  });

  it('an index of another format version answers IndexFormatError until indexing rebuilds it', async () => {
    const repo = scratchRepo('old-format');
    const c = repo.commit({ 'a.txt': 'alpha Beta\n' });
    const dir = path.join(tmpRoot, 'idx-old-format');
    const first = new SearchIndex(dir);
    await first.indexCommit({ gitDir: repo.gitDir, env }, c);
    await first.close();
    // As an earlier version left it: its manifest names format 2 (segments then had no cases in their postings).
    const manifestFile = path.join(dir, 'manifest.json');
    const earlier = fs.readdirSync(dir).filter((n) => n.endsWith('.hsx') || n.endsWith('.hsc'));
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { format: number };
    fs.writeFileSync(manifestFile, JSON.stringify({ ...manifest, format: 2 }));
    const index = new SearchIndex(dir);
    await expect(index.search(c, { q: 'Beta' })).rejects.toBeInstanceOf(IndexFormatError);
    await index.indexCommit({ gitDir: repo.gitDir, env }, c);
    expect((await index.search(c, { q: 'Beta' })).matches.map((m) => m.line)).toEqual([1]);
    await index.gc([c]);
    expect(fs.readdirSync(dir).filter((n) => earlier.includes(n))).toEqual([]);
    await index.close();
  });

  it('a crash between a temp write and its rename, or a truncated file, leaves the old index answering', async () => {
    const repo = scratchRepo('crash');
    const c1 = repo.commit({ 'a.txt': 'alpha one\n', 'b.txt': 'beta\n' });
    const c2 = repo.commit({ 'a.txt': 'alpha two\n', 'c.txt': 'gamma\n' });
    const dir = path.join(tmpRoot, 'idx-crash');
    await new SearchIndex(dir).indexCommit({ gitDir: repo.gitDir, env }, c1);

    // The writer dies right before renaming the new manifest into place.
    const crashing = new SearchIndex(dir, {
      hooks: {
        beforeRename: (_tmp, final) => {
          if (final.endsWith('manifest.json')) throw new Error('killed');
        },
      },
    });
    await expect(crashing.indexCommit({ gitDir: repo.gitDir, env }, c2)).rejects.toThrow('killed');
    // ...and left a truncated temp file behind, like a process killed mid-write.
    fs.writeFileSync(path.join(dir, 'manifest.json.tmp-dead'), '{"format":1,"segm');

    const reader = new SearchIndex(dir);
    expect((await reader.search(c1, { q: 'alpha' })).matches.map((m) => m.text)).toEqual(['alpha one']);
    await expect(reader.search(c2, { q: 'alpha' })).rejects.toThrow(IndexMissingError);

    // The next writer finishes the job and collects what the dead one left.
    await reader.indexCommit({ gitDir: repo.gitDir, env }, c2);
    expect((await reader.search(c2, { q: 'alpha' })).matches.map((m) => m.text)).toEqual(['alpha two']);
    await reader.gc([c1, c2]);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);

    // A published segment cut short is detected, never read as if whole.
    const fresh = path.join(tmpRoot, 'idx-crash-copy');
    fs.cpSync(dir, fresh, { recursive: true });
    for (const seg of fs.readdirSync(fresh).filter((f) => f.startsWith('seg-'))) {
      fs.truncateSync(path.join(fresh, seg), fs.statSync(path.join(fresh, seg)).size - 3);
    }
    await expect(new SearchIndex(fresh).search(c1, { q: 'alpha' })).rejects.toThrow(/truncated/);
  });

  it('garbage collection drops the blobs no kept commit references', async () => {
    const repo = scratchRepo('gc');
    const c1 = repo.commit({ 'a.txt': 'first version\n' });
    const c2 = repo.commit({ 'a.txt': 'second version\n' });
    const dir = path.join(tmpRoot, 'idx-gc');
    const index = new SearchIndex(dir);
    await index.indexCommit({ gitDir: repo.gitDir, env }, c1);
    const r2 = await index.indexCommit({ gitDir: repo.gitDir, env }, c2);
    expect(r2.new_blobs).toBe(1);
    expect((await index.stats()).blobs).toBe(2);
    const gc = await index.gc([c2]);
    expect(gc).toMatchObject({ commits: 1, segments: 1 });
    expect((await index.stats()).blobs).toBe(1);
    expect((await index.search(c2, { q: 'version' })).matches.map((m) => m.text)).toEqual(['second version']);
    expect(await index.commits()).toEqual([c2]);
  });

  it('garbage collection rewrites mostly dead segments and merges small ones, answers unchanged', async () => {
    const repo = scratchRepo('compact');
    const c1 = repo.commit({ 'a.txt': 'keep me\n', 'b.txt': 'old b\n', 'c.txt': 'old c\n', 'd.txt': 'old d\n' });
    const c2 = repo.commit({ 'b.txt': 'new b\n', 'c.txt': 'new c\n', 'd.txt': 'new d\n' });
    const c3 = repo.commit({ 'e.txt': 'new e\n' });
    const dir = path.join(tmpRoot, 'idx-compact');
    const index = new SearchIndex(dir);
    for (const c of [c1, c2, c3]) await index.indexCommit({ gitDir: repo.gitDir, env }, c);
    const before = asLines(await all(index, c3, { q: 'e' }));
    expect((await index.stats()).segments).toBe(3);
    // c1's segment holds one live blob of four: rewritten; with room for one segment, all are merged.
    const gc = await index.gc([c2, c3], { maxSegments: 1 });
    expect(gc).toMatchObject({ commits: 2, segments: 1 });
    const stats = await index.stats();
    expect(stats).toMatchObject({ segments: 1, blobs: 5 });
    expect(asLines(await all(index, c3, { q: 'e' }))).toEqual(before);
    expect((await all(index, c2, { q: 'keep me' })).matches.map((m) => m.path)).toEqual(['a.txt']);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('commit-'))).toHaveLength(2);
    await index.close();
  });

  it('the time budget returns what it has, with a cursor that continues', async () => {
    const repo = scratchRepo('budget');
    const files: Record<string, string> = {};
    for (let i = 0; i < 30; i++) files[`f${String(i).padStart(2, '0')}.txt`] = 'needle\n'.repeat(50);
    const c = repo.commit(files);
    const index = new SearchIndex(path.join(tmpRoot, 'idx-budget'));
    await index.indexCommit({ gitDir: repo.gitDir, env }, c);
    const page = await index.search(c, { q: 'needle', timeBudgetMs: 0 });
    expect(page.timed_out).toBe(true);
    expect(page.next).not.toBeNull();
    const rest = await index.search(c, { q: 'needle', cursor: page.next!, limit: 10_000 });
    expect(page.matches.length + rest.matches.length).toBe(1500);
  });

  it('a page evaluates only the segments it reaches; its matches and cursors equal a full evaluation', async () => {
    const repo = scratchRepo('lazy');
    const files: Record<string, string> = {};
    for (let i = 0; i < 40; i++) files[`d${String(i).padStart(2, '0')}/f.ts`] = `const common = ${i};\n`.repeat(200);
    const c = repo.commit(files);
    // Segments of about 16 KB: the 40 files (4 KB each) fill ten or so.
    const index = new SearchIndex(path.join(tmpRoot, 'idx-lazy'), { segmentBytes: 16 * 1024 });
    await index.indexCommit({ gitDir: repo.gitDir, env }, c);
    const segments = (await index.stats()).segments;
    expect(segments).toBeGreaterThan(5);
    const lookups = vi.spyOn(SegmentReader.prototype, 'postings');
    try {
      const page = await index.search(c, { q: 'common', limit: 10 });
      expect(page.matches).toHaveLength(10);
      // 'com', 'omm', 'mmo', 'mon': four posting lists in the one segment the first file is in.
      expect(lookups.mock.calls.length).toBe(4);
      // Paging on reaches every segment and finds every match, in order.
      const lines = asLines(page);
      for (let next = page.next; next;) {
        const more = await index.search(c, { q: 'common', limit: 250, cursor: next });
        lines.push(...asLines(more));
        next = more.next;
      }
      expect(lines).toEqual(gitGrep(repo.gitDir, c, ['-F'], 'common'));
      expect(lines).toEqual(asLines(await all(index, c, { q: 'common' })));
    } finally {
      lookups.mockRestore();
    }
  });

  it('a path prefix takes the files under it, not its siblings that sort between (src-b, src.c)', async () => {
    const repo = scratchRepo('prefix');
    const names = ['b/src', 'src-b/x', 'src.c', 'src/b', 'src/c/d', 'src0', 'srcs'];
    const c = repo.commit(Object.fromEntries(names.map((n) => [n, 'word\n'])));
    const index = new SearchIndex(path.join(tmpRoot, 'idx-prefix'));
    await index.indexCommit({ gitDir: repo.gitDir, env }, c);
    const paths = async (q: SearchQuery) => (await all(index, c, q)).matches.map((m) => m.path);
    expect(await paths({ q: 'word', path: 'src' })).toEqual(['src/b', 'src/c/d']);
    expect(await paths({ q: 'word', path: 'src/' })).toEqual(['src/b', 'src/c/d']);
    expect(await paths({ q: 'word', path: 'src/c' })).toEqual(['src/c/d']);
    expect(await paths({ q: 'word', path: 'src.c' })).toEqual(['src.c']);
    expect(await paths({ q: 'word', path: 'zz' })).toEqual([]);
    const fileNames = await index.search(c, { q: 'b', files: true, path: 'src' });
    expect(fileNames.files.map((f) => f.path)).toEqual(['src/b']);
    // A cursor pages on within the prefix.
    const first = await index.search(c, { q: 'word', path: 'src', limit: 1 });
    const rest = await index.search(c, { q: 'word', path: 'src', limit: 10, cursor: first.next! });
    expect([...first.matches, ...rest.matches].map((m) => m.path)).toEqual(['src/b', 'src/c/d']);
  });

  it('a chunk whose segment garbage collection deleted after the search opened it is read by the search itself', async () => {
    const repo = scratchRepo('gc-race');
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) files[`f${String(i).padStart(3, '0')}.ts`] = `const x${i} = ${i};\n`.repeat(20);
    const c = repo.commit(files);
    const dir = path.join(tmpRoot, 'idx-gc-race');
    const plain = new SearchIndex(dir);
    await plain.indexCommit({ gitDir: repo.gitDir, env }, c);
    const whole = (await plain.search(c, { q: 'const', count: true })).count;
    expect(whole).toBe(6000);
    await plain.close();
    const racePool = new SearchPool(1);
    const index = new SearchIndex(dir, { pool: racePool, poolMinBytes: 0 });
    try {
      // This search opens the segments here; the pool's thread has opened none.
      expect((await index.search(c, { q: 'x299 =' })).matches).toHaveLength(20);
      // Garbage collection of another instance deletes them (as it may while a search is under way).
      for (const f of fs.readdirSync(dir).filter((n) => n.startsWith('seg-'))) fs.rmSync(path.join(dir, f));
      expect((await index.search(c, { q: 'const', count: true })).count).toBe(whole);
    } finally {
      await index.close();
      await racePool.close();
    }
  });
});
