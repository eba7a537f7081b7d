import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AiJob, Suggestion } from '@hivesync/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onRequest, sendJson, startFakeApi, type FakeApi } from '../test/fake-api.js';
import { runInProcess } from '../test/run-in-process.js';

interface Request {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}
type Answer = [status: number, body?: unknown];

let dir: string;
let repo: string;
let fake: FakeApi;
let url: string;
let requests: Request[];
let route: (req: Request) => Answer;

const DEMO = 'p-demo';
const COMMIT = 'c'.repeat(40);
const ORIGINAL = 'export function add(a, b) {\n  return a + b;\n}\n';
const DOCUMENTED = '/** Adds two numbers. */\nexport function add(a, b) {\n  return a + b;\n}\n';
const PATCH = [
  'diff --git a/src/math.js b/src/math.js',
  '--- a/src/math.js',
  '+++ b/src/math.js',
  '@@ -1,3 +1,4 @@',
  '+/** Adds two numbers. */',
  ' export function add(a, b) {',
  '   return a + b;',
  ' }',
  '',
].join('\n');

function suggestion(state: Suggestion['state'], extra: Partial<Suggestion> = {}): Suggestion {
  return {
    id: 'sg1',
    job_id: 'j1',
    description: 'Document `add`.',
    files: ['src/math.js'],
    patch: PATCH,
    state,
    created_at: '2025-01-01T00:00:00.000Z',
    history: [],
    ...extra,
  };
}

function job(status: AiJob['status'], extra: Partial<AiJob> = {}): AiJob {
  return {
    job_id: 'j1',
    project_id: DEMO,
    action: 'document_function',
    status,
    commit: COMMIT,
    path: 'src/math.js',
    created_at: '2025-01-01T00:00:00.000Z',
    started_at: status === 'queued' ? null : '2025-01-01T00:00:00.100Z',
    finished_at: status === 'completed' || status === 'failed' ? '2025-01-01T00:00:01.000Z' : null,
    error: null,
    result: null,
    suggestions: status === 'completed' ? [suggestion('proposed')] : [],
    ...extra,
  };
}

const MOVES: Record<string, [from: Suggestion['state'], to: Suggestion['state']]> = {
  approve: ['proposed', 'approved'],
  reject: ['proposed', 'rejected'],
  applied: ['approved', 'applied'],
  reverted: ['applied', 'reverted'],
};

/** A fake AI API: one job whose successive polls answer `jobs`, and one suggestion that moves like the server's. */
function api(jobs: AiJob[], start: Suggestion = suggestion('proposed')): (req: Request) => Answer {
  let polls = 0;
  let current = start;
  return (req) => {
    const key = `${req.method} ${req.path}`;
    if (key === 'GET /api/v1/projects') return [200, { projects: [{ id: DEMO, name: 'demo' }] }];
    if (key === 'POST /api/v1/ai/jobs') return [202, job('queued', { action: (req.body as AiJob).action })];
    if (key === 'GET /api/v1/ai/jobs/j1') return [200, jobs[Math.min(polls++, jobs.length - 1)]];
    if (key === 'GET /api/v1/ai/suggestions') return [200, { suggestions: [current] }];
    if (key === 'GET /api/v1/ai/suggestions/sg1') return [200, current];
    // A short id: any 8+ hex characters name sg1 here.
    if (key === 'GET /api/v1/lookup') return [200, { kind: req.query.get('kind'), id: 'sg1' }];
    const move = /^POST \/api\/v1\/ai\/suggestions\/sg1\/(\w+)$/.exec(key);
    if (move && MOVES[move[1]!]) {
      const [from, to] = MOVES[move[1]!]!;
      if (current.state !== from) {
        return [409, { error: { code: 'conflict', message: `The suggestion is ${current.state}.`, request_id: 'r1' } }];
      }
      current = { ...current, state: to };
      return [200, current];
    }
    return [404, { error: { code: 'not_found', message: 'Not found.', request_id: 'r1' } }];
  };
}

function gitIn(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=T', ...args], {
    cwd,
    encoding: 'utf8',
  });
}

beforeEach(async () => {
  requests = [];
  route = api([job('completed')]);
  fake = await startFakeApi(
    onRequest((seen, res) => {
      const r: Request = {
        method: seen.method,
        path: seen.path,
        query: seen.url.searchParams,
        body: seen.body,
      };
      requests.push(r);
      const [status, body] = route(r);
      sendJson(res, status, body);
    }),
  );
  ({ dir, url } = fake);
  repo = path.join(dir, 'work');
  await fs.mkdir(path.join(repo, 'src'), { recursive: true });
  await fs.writeFile(path.join(repo, 'src', 'math.js'), ORIGINAL);
  gitIn(repo, 'init', '-q', '.');
  gitIn(repo, 'add', '.');
  gitIn(repo, 'commit', '-q', '-m', 'init');
});

afterEach(() => fake.stop());

/** Runs the CLI in-process against the fake server; `tty` makes stdin a terminal that answers `answer`. */
function cli(args: string[], options: { env?: NodeJS.ProcessEnv; tty?: boolean; answer?: string } = {}) {
  return runInProcess([...args, '--server', url], {
    configHome: dir,
    env: options.env,
    tty: options.tty,
    stdin: options.answer === undefined ? undefined : `${options.answer}\n`,
  });
}

const calls = () => requests.map((r) => `${r.method} ${r.path}`);
const source = () => fs.readFile(path.join(repo, 'src', 'math.js'), 'utf8');

describe('doc, summarize, rename, refactor', () => {
  it('doc FILE:LINE queues document_function, follows the job and shows the suggestion with its diff', async () => {
    route = api([job('running'), job('completed')]);
    const r = await cli(['doc', 'demo', 'src/math.js:1-3']);

    expect(r.code).toBe(0);
    expect(requests[1]).toMatchObject({
      method: 'POST',
      path: '/api/v1/ai/jobs',
      body: {
        project_id: DEMO,
        action: 'document_function',
        path: 'src/math.js',
        range: { start_line: 1, end_line: 3 },
      },
    });
    expect(r.out).toBe(
      ['suggestion sg1  proposed  (job j1)', '    Document `add`.', '    files: src/math.js', '', PATCH].join('\n'),
    );
    expect(r.err.split('\n').map((l) => l.replace(/ \(\d+\.\d s\)$/, ''))).toEqual([
      'ai doc src/math.js:1-3: queued',
      'ai doc src/math.js:1-3: running',
      'ai doc src/math.js:1-3: completed',
      'Nothing has changed yet. Review, then `hivesync apply sg1` (or `hivesync suggestions reject sg1`).',
      '',
    ]);
  });

  it('colors the diff with FORCE_COLOR, and not with NO_COLOR', async () => {
    const colored = await cli(['doc', 'demo', 'src/math.js', '--symbol', 'add'], { env: { FORCE_COLOR: '1' } });
    expect(colored.out).toContain('\x1b[32m+/** Adds two numbers. */\x1b[39m');
    expect(colored.out).toContain('\x1b[36m@@ -1,3 +1,4 @@\x1b[39m');
    expect(colored.out).toContain('\x1b[1mdiff --git a/src/math.js b/src/math.js\x1b[22m');
    expect(requests.find((r) => r.method === 'POST')!.body).toEqual({
      project_id: DEMO,
      action: 'document_function',
      path: 'src/math.js',
      symbol: 'add',
    });
    const noColor = await cli(['doc', 'demo', 'src/math.js:1'], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(noColor.out).not.toContain('\x1b[');
  });

  it('--whole-file is document_file; --no-wait prints the queued job; --json prints the job', async () => {
    const queued = await cli(['doc', 'demo', 'src/math.js', '--whole-file', '--no-wait', '--json']);
    expect(queued.code).toBe(0);
    expect(JSON.parse(queued.out)).toMatchObject({ job_id: 'j1', status: 'queued', action: 'document_file' });
    expect(calls()).toEqual(['GET /api/v1/projects', 'POST /api/v1/ai/jobs']);
    expect(queued.err).toBe('');

    const done = await cli(['doc', 'demo', 'src/math.js:2', '--json']);
    expect(done.code).toBe(0);
    expect(done.out.split('\n')).toHaveLength(2);
    expect(JSON.parse(done.out)).toEqual(job('completed'));
    expect(done.err).toBe('');
  });

  it('a failed job prints its error code and message and exits 1 (with --json, the failed job)', async () => {
    const error = { code: 'ai_provider_error', message: 'The language model did not answer.' };
    route = api([job('failed', { error })]);
    const human = await cli(['refactor', 'demo', 'extract a helper', '--file', 'src/a.ts', '--file', 'src/b.ts']);
    route = api([job('failed', { error })]);
    const json = await cli(['refactor', 'demo', 'extract a helper', '--json']);

    expect(human.code).toBe(1);
    expect(human.out).toBe('');
    expect(human.err).toContain('hivesync: AI job j1 failed: ai_provider_error: The language model did not answer.\n');
    expect(requests[1]!.body).toEqual({
      project_id: DEMO,
      action: 'refactor',
      path: 'src/a.ts',
      instructions: 'extract a helper\n\nChange only these files: src/a.ts, src/b.ts.',
    });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toMatchObject({ status: 'failed', error });
  });

  it('summarize prints the summary and the exports table; rename sends symbol, new name and --line', async () => {
    const result = {
      summary: '`src/math.js` exports 1 function (`add`).',
      exports: [{ name: 'add', kind: 'function', signature: 'export function add(a, b)', doc: 'Adds.' }],
    };
    route = api([job('completed', { action: 'summarize_file', result, suggestions: [] })]);
    const summary = await cli(['summarize', 'demo', 'src/math.js']);
    expect(summary.code).toBe(0);
    expect(summary.out).toBe(
      [
        '`src/math.js` exports 1 function (`add`).',
        '',
        'EXPORT  KIND      SIGNATURE                  DOC',
        'add     function  export function add(a, b)  Adds.',
        '',
      ].join('\n'),
    );
    expect(requests[1]!.body).toEqual({ project_id: DEMO, action: 'summarize_file', path: 'src/math.js' });

    requests = [];
    route = api([job('completed', { action: 'rename_symbol' })]);
    const rename = await cli(['rename', 'demo', 'src/math.js', 'add', 'sum', '--line', '1']);
    expect(rename.code).toBe(0);
    expect(rename.out).toContain('+/** Adds two numbers. */');
    expect(requests[1]!.body).toEqual({
      project_id: DEMO,
      action: 'rename_symbol',
      path: 'src/math.js',
      symbol: 'add',
      new_name: 'sum',
      range: { start_line: 1, end_line: 1 },
    });
  });

  it('a job with nothing to do prints why, and exits 0', async () => {
    const message = '`add` in src/math.js:1 already has a doc comment.';
    route = api([job('completed', { suggestions: [], message })]);
    const one = await cli(['doc', 'demo', 'src/math.js:1']);
    expect(one.code).toBe(0);
    expect(one.out).toBe('Nothing to do: `add` in src/math.js:1 already has a doc comment.\n');

    const every = 'Every declaration in src/math.js already has a doc comment (1 in all).';
    route = api([job('completed', { action: 'document_file', suggestions: [], message: every })]);
    const file = await cli(['doc', 'demo', 'src/math.js', '--whole-file']);
    expect(file.out).toBe('Nothing to do: every declaration in src/math.js already has a doc comment (1 in all).\n');
    const json = await cli(['doc', 'demo', 'src/math.js', '--whole-file', '--json']);
    expect(JSON.parse(json.out)).toMatchObject({ status: 'completed', suggestions: [], message: every });
  });

  it('usage errors exit 2 before any request', async () => {
    for (const args of [
      ['doc', 'demo', 'src/math.js'],
      ['doc', 'demo', 'src/math.js:0'],
      ['doc', 'demo', 'src/math.js:3', '--whole-file'],
      ['doc', 'demo', 'src/math.js', '--whole-file', '--symbol', 'add'],
      ['rename', 'demo', 'src/math.js', 'add'],
      ['refactor', 'demo', '  '],
      ['suggestions', 'demo', '--state', 'done'],
    ]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(/^hivesync: /);
    }
    expect(requests).toEqual([]);
  });
});

describe('suggestions', () => {
  it('lists suggestions as a table (with --state), shows one with its diff, and approves or rejects', async () => {
    const listed = await cli(['suggestions', 'demo', '--state', 'proposed']);
    expect(listed.code).toBe(0);
    expect(listed.out).toBe('ID   STATE     DESCRIPTION      FILES\nsg1  proposed  Document `add`.  src/math.js\n');
    expect(Object.fromEntries(requests[1]!.query)).toEqual({ project_id: DEMO, state: 'proposed' });

    const shown = await cli(['suggestions', 'show', 'sg1']);
    expect(shown.out).toContain('suggestion sg1  proposed');
    expect(shown.out).toContain(PATCH);

    const rejected = await cli(['suggestions', 'reject', 'sg1', '--json']);
    expect(JSON.parse(rejected.out)).toMatchObject({ id: 'sg1', state: 'rejected' });
    const again = await cli(['suggestions', 'approve', 'sg1']);
    expect(again.code).toBe(1);
    expect(again.err).toBe('hivesync: conflict: The suggestion is rejected. (request r1)\n');
  });

  it('takes the first 8+ characters of a suggestion id (resolved by GET /lookup)', async () => {
    const approved = await cli(['suggestions', 'approve', '5ab0c0de']);
    expect(approved.code, approved.err).toBe(0);
    expect(approved.out).toBe('Suggestion sg1 is now approved.\n');
    expect(Object.fromEntries(requests[0]!.query)).toEqual({ kind: 'suggestion', prefix: '5ab0c0de' });
    expect(calls()).toEqual(['GET /api/v1/lookup', 'POST /api/v1/ai/suggestions/sg1/approve']);
  });
});

describe('apply and revert, with git, in a real repository', () => {
  it('applies an approved suggestion, reports it applied, then reverts it and reports that', async () => {
    route = api([], suggestion('approved'));
    const sub = path.join(repo, 'src'); // any directory of the working copy will do
    const applied = await cli(['apply', 'sg1', '--dir', sub]);

    expect(applied.code).toBe(0);
    expect(await source()).toBe(DOCUMENTED);
    const root = gitIn(repo, 'rev-parse', '--show-toplevel').trim();
    expect(applied.out).toBe(`Applied suggestion sg1 to ${root}:\n  src/math.js\n`);
    expect(gitIn(repo, 'status', '--porcelain')).toBe('M  src/math.js\n');
    expect(calls()).toEqual(['GET /api/v1/ai/suggestions/sg1', 'POST /api/v1/ai/suggestions/sg1/applied']);

    requests = [];
    const reverted = await cli(['revert', 'sg1', '--yes', '--dir', repo, '--json']);
    expect(reverted.code).toBe(0);
    expect(JSON.parse(reverted.out)).toEqual({ suggestion: suggestion('reverted'), files: ['src/math.js'] });
    expect(await source()).toBe(ORIGINAL);
    expect(gitIn(repo, 'status', '--porcelain')).toBe('');
    expect(calls()).toEqual(['GET /api/v1/ai/suggestions/sg1', 'POST /api/v1/ai/suggestions/sg1/reverted']);
  });

  it('a proposed suggestion: --yes approves then applies; without a terminal and --yes it is exit 2', async () => {
    const refused = await cli(['apply', 'sg1', '--dir', repo]);
    expect(refused.code).toBe(2);
    // The exact command that does it without asking.
    expect(refused.err).toBe(
      `hivesync: stdin is not a terminal, so there is no one to ask: to approve and apply the proposed suggestion sg1, run \`hivesync apply sg1 --dir ${repo} --server ${url} --yes\`\n`,
    );
    expect(await source()).toBe(ORIGINAL);

    // revert too, before any request; a directory with a space is quoted for the shell.
    requests = [];
    const odd = await cli(['revert', 'sg1', '--dir', '/tmp/my work', '--json']);
    expect(odd.code).toBe(2);
    expect(JSON.parse(odd.out).error.message).toBe(
      `stdin is not a terminal, so there is no one to ask: to revert suggestion sg1, run \`hivesync revert sg1 --dir '/tmp/my work' --server ${url} --json --yes\``,
    );
    expect(requests).toEqual([]);

    requests = [];
    const r = await cli(['apply', 'sg1', '--yes', '--dir', repo, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ suggestion: suggestion('applied'), files: ['src/math.js'] });
    expect(calls()).toEqual([
      'GET /api/v1/ai/suggestions/sg1',
      'POST /api/v1/ai/suggestions/sg1/approve',
      'POST /api/v1/ai/suggestions/sg1/applied',
    ]);
    expect(await source()).toBe(DOCUMENTED);
  });

  it('on a terminal asks "Approve and apply? [y/N]"; no means nothing happens (exit 2)', async () => {
    const no = await cli(['apply', 'sg1', '--dir', repo], { tty: true, answer: 'n' });
    expect(no.code).toBe(2);
    expect(no.err).toContain('Approve and apply? [y/N] ');
    expect(no.err).toContain('+/** Adds two numbers. */');
    expect(calls()).toEqual(['GET /api/v1/ai/suggestions/sg1']);
    expect(await source()).toBe(ORIGINAL);

    const yes = await cli(['apply', 'sg1', '--dir', repo], { tty: true, answer: 'y' });
    expect(yes.code).toBe(0);
    expect(await source()).toBe(DOCUMENTED);
  });

  it('a patch that does not apply: the conflict is reported, exit 1, and nothing is touched or reported', async () => {
    const edited = 'export function add(x, y) {\n  return x + y;\n}\n';
    await fs.writeFile(path.join(repo, 'src', 'math.js'), edited);
    gitIn(repo, 'commit', '-q', '-am', 'edit');
    route = api([job('completed')], suggestion('approved'));

    const r = await cli(['apply', 'sg1', '--dir', repo]);
    expect(r.code).toBe(1);
    const root = gitIn(repo, 'rev-parse', '--show-toplevel').trim();
    expect(r.err).toBe(
      [
        `hivesync: suggestion sg1 cannot be applied in ${root}; nothing was changed:`,
        "  src/math.js: hunk @@ -1,3 +1,4 @@ does not match your copy (the lines differ from the job's commit ccccccc)",
        "this repository does not have the job's commit ccccccc: fetch it (or pull) and apply again, so that git can merge the suggestion with your changes",
        '',
      ].join('\n'),
    );
    expect(await source()).toBe(edited);
    expect(gitIn(repo, 'status', '--porcelain')).toBe('');
    // The job is read for its commit only when the patch does not apply.
    expect(calls()).toEqual(['GET /api/v1/ai/suggestions/sg1', 'GET /api/v1/ai/jobs/j1']);

    const json = await cli(['apply', 'sg1', '--dir', repo, '--json']);
    expect(JSON.parse(json.out)).toMatchObject({ error: { code: 'patch_does_not_apply' } });
  });

  describe('two suggestions made on the same commit, for neighbouring functions', () => {
    const OPS = 'export const one = () => 1;\nexport function double(x) {\n  return x * 2;\n}\n';
    const ops = () => fs.readFile(path.join(repo, 'src', 'ops.js'), 'utf8');
    /** The patch of `after` against the committed file, as git writes it (with the blobs' full ids). */
    const patchTo = async (after: string) => {
      await fs.writeFile(path.join(repo, 'src', 'ops.js'), after);
      const patch = gitIn(repo, 'diff', '--full-index', '--', 'src/ops.js');
      await fs.writeFile(path.join(repo, 'src', 'ops.js'), OPS);
      return patch;
    };
    let first: string;
    let second: string;
    const withDouble = OPS.replace('export function double', '/** Doubles x. */\nexport function double');

    beforeEach(async () => {
      await fs.writeFile(path.join(repo, 'src', 'ops.js'), OPS);
      gitIn(repo, 'add', '.');
      gitIn(repo, 'commit', '-q', '-m', 'ops');
      first = await patchTo(`/** One. */\n${OPS}`);
      second = await patchTo(withDouble);
    });
    const serve = (patch: string, extra: Partial<AiJob> = {}) => {
      route = api([job('completed', extra)], suggestion('approved', { patch, files: ['src/ops.js'] }));
    };
    const appliesAsItIs = (patch: string) => {
      try {
        execFileSync('git', ['apply', '--check', '-'], { cwd: repo, input: patch, stdio: 'pipe' });
        return true;
      } catch {
        return false;
      }
    };

    it('applies the second on top of the first with a three-way merge, and reverts the first alone', async () => {
      serve(first);
      expect((await cli(['apply', 'sg1', '--dir', repo])).code).toBe(0);
      expect(appliesAsItIs(second)).toBe(false);

      serve(second);
      const r = await cli(['apply', 'sg1', '--dir', repo]);
      expect(r.code, r.err).toBe(0);
      expect(await ops()).toBe(`/** One. */\n${withDouble}`);
      expect(gitIn(repo, 'status', '--porcelain')).toBe('M  src/ops.js\n');

      route = api([job('completed')], suggestion('applied', { patch: first, files: ['src/ops.js'] }));
      const reverted = await cli(['revert', 'sg1', '--yes', '--dir', repo]);
      expect(reverted.code, reverted.err).toBe(0);
      expect(await ops()).toBe(withDouble);
    });

    it('merges a patch without index lines too, when the job’s commit is in the repository', async () => {
      serve(first);
      expect((await cli(['apply', 'sg1', '--dir', repo])).code).toBe(0);
      // As servers wrote patches before naming the original blobs.
      const bare = second.replace(/^index .*\n/m, '');
      serve(bare, { commit: gitIn(repo, 'rev-parse', 'HEAD').trim() });
      const r = await cli(['apply', 'sg1', '--dir', repo]);
      expect(r.code, r.err).toBe(0);
      expect(await ops()).toBe(`/** One. */\n${withDouble}`);
    });

    it('names the file and the hunk that clash with a local change, and changes nothing', async () => {
      const mine = OPS.replace('double(x)', 'double(n)').replace('x * 2', 'n * 2');
      await fs.writeFile(path.join(repo, 'src', 'ops.js'), mine);
      serve(second);
      const r = await cli(['apply', 'sg1', '--dir', repo]);
      expect(r.code).toBe(1);
      const root = gitIn(repo, 'rev-parse', '--show-toplevel').trim();
      expect(r.err).toBe(
        [
          `hivesync: suggestion sg1 cannot be applied in ${root}; nothing was changed:`,
          "  src/ops.js: hunk @@ -1,4 +1,5 @@ clashes with your local change at lines 2–3 (the lines differ from the job's commit ccccccc)",
          'your changes and the suggestion touch the same lines: set yours aside (`git stash`), apply, then `git stash pop` and resolve the conflict there, or add the change by hand',
          '',
        ].join('\n'),
      );
      expect(await ops()).toBe(mine);
      expect(gitIn(repo, 'status', '--porcelain')).toBe(' M src/ops.js\n');
      expect(calls().filter((c) => c.startsWith('POST'))).toEqual([]);
    });
  });

  it('refuses a suggestion in the wrong state, and a directory outside git, before touching anything', async () => {
    route = api([], suggestion('rejected'));
    const wrong = await cli(['apply', 'sg1', '--dir', repo]);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toBe(
      'hivesync: suggestion sg1 is rejected: only a proposed or approved suggestion can be applied\n',
    );
    const notApplied = await cli(['revert', 'sg1', '--yes', '--dir', repo]);
    expect(notApplied.code).toBe(1);
    expect(notApplied.err).toContain('only an applied suggestion can be reverted');

    route = api([], suggestion('approved'));
    const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'hivesync-not-git-'));
    try {
      const r = await cli(['apply', 'sg1', '--dir', outside]);
      expect(r.code).toBe(2);
      expect(r.err).toContain('is not in a git working copy');
    } finally {
      await fs.rm(outside, { recursive: true, force: true });
    }
    expect(await source()).toBe(ORIGINAL);
    expect(calls().filter((c) => c.startsWith('POST'))).toEqual([]);
  });

  it('when reporting failed after git applied the patch, running apply again only reports it', async () => {
    route = api([], suggestion('approved'));
    const base = route;
    route = (req) =>
      req.path.endsWith('/applied') ? [503, { error: { code: 'service_unavailable', message: 'Down.' } }] : base(req);
    const first = await cli(['apply', 'sg1', '--dir', repo]);
    expect(first.code).toBe(1);
    expect(first.err).toContain('were changed, but the server does not know yet');
    expect(await source()).toBe(DOCUMENTED);

    route = base;
    const second = await cli(['apply', 'sg1', '--dir', repo]);
    expect(second.code).toBe(0);
    expect(second.err).toContain('the patch is already applied');
    expect(await source()).toBe(DOCUMENTED);
  });
});
