import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitFiles, git, makeRepo } from '../../apps/server/src/test/git-fixtures.js';
import { tempDir } from '../../apps/server/src/test/harness.js';
import { runCli } from '../support/cli.js';
import { spawnServer, stopServer, type ServerProcess } from '../support/server-process.js';
import { seedEmbeddedDatabase } from '../../apps/server/src/test/pglite-template.js';

const SOURCE =
  'export function greet(name: string, excited = false): string {\n  return excited ? `Hello, ${name}!` : `Hello, ${name}.`;\n}\n';

describe('AI documentation through the CLI: doc → apply → revert against `npm start`', () => {
  const data = tempDir('hivesync-ai-e2e-');
  const home = tempDir('hivesync-ai-e2e-home-');
  let server: ServerProcess;
  let repo: string;
  const cli = (args: string[], stdin?: string) =>
    runCli(args, { server: server.url, configHome: path.join(home.dir, 'config'), cwd: home.dir, stdin });
  const json = async (args: string[]) => {
    const r = await cli([...args, '--json']);
    expect(r.code, `${args.join(' ')}: ${r.out}${r.err}`).toBe(0);
    return JSON.parse(r.out);
  };

  beforeAll(async () => {
    await seedEmbeddedDatabase(data.dir);
    server = spawnServer({ HIVESYNC_DATA_DIR: data.dir, HIVESYNC_ALLOW_LOCAL_REPOS: 'true' }, { npmStart: true });
    await server.ready;
    repo = makeRepo(path.join(home.dir, 'app'), { 'src/greet.ts': SOURCE });
  });
  afterAll(async () => {
    await stopServer(server);
    data.remove();
    home.remove();
  });

  it('proposes a doc comment, applies it to the working copy, and reverts it', async () => {
    expect(
      (await cli(['register', '--email', 'doc@example.test', '--password-stdin'], 'writes the documentation\n')).code,
    ).toBe(0);
    await json(['projects', 'create', 'app', '--repo-url', repo]);
    expect((await json(['sync', 'app', '--wait'])).status).toBe('completed');

    const job = await json(['doc', 'app', 'src/greet.ts:1']);
    expect(job.status).toBe('completed');
    const suggestion = job.suggestions[0];
    expect(suggestion.state).toBe('proposed');

    const applied = await json(['apply', suggestion.id, '--yes', '--dir', repo]);
    expect(applied.suggestion.state).toBe('applied');
    const documented = fs.readFileSync(path.join(repo, 'src/greet.ts'), 'utf8');
    // The summary is derived from the one-line body, not guessed from the name.
    expect(documented).toMatch(
      /^\/\*\*\n \* Returns `` excited \? `Hello, \$\{name\}!` : `Hello, \$\{name\}\.` ``\.\n/,
    );
    expect(documented).toContain('@param name');
    expect(documented.endsWith(SOURCE)).toBe(true);

    const reverted = await json(['revert', suggestion.id, '--yes', '--dir', repo]);
    expect(reverted.suggestion.state).toBe('reverted');
    expect(fs.readFileSync(path.join(repo, 'src/greet.ts'), 'utf8')).toBe(SOURCE);
    const history = (await json(['suggestions', 'show', suggestion.id])).history.map((h: { to: string }) => h.to);
    expect(history).toEqual(['approved', 'applied', 'reverted']);
  });

  it('applies a second suggestion on top of the first with a three-way merge; a real clash changes nothing', async () => {
    // Two neighbouring functions documented by two jobs on the same commit: once the first comment is in, the
    // second patch no longer applies as it is (its hunk starts at line 1), only merged three-way.
    const ops =
      'export const one = (): number => 1;\nexport function double(x: number): number {\n  return x * 2;\n}\n';
    commitFiles(repo, { 'src/ops.ts': ops }, 'ops');
    expect((await json(['sync', 'app', '--wait'])).status).toBe('completed');
    const first = (await json(['doc', 'app', 'src/ops.ts:1'])).suggestions[0];
    const second = (await json(['doc', 'app', 'src/ops.ts:2'])).suggestions[0];
    expect(first.description).toMatch(/one/);
    expect(second.description).toMatch(/double/);

    expect((await json(['apply', first.id, '--yes', '--dir', repo])).suggestion.state).toBe('applied');
    const merged = await cli(['apply', second.id, '--yes', '--dir', repo]);
    expect(merged.code, merged.err).toBe(0);
    const text = fs.readFileSync(path.join(repo, 'src/ops.ts'), 'utf8');
    expect(text).toMatch(/^\/\*\*\n(.*\n)*export const one[^\n]*\n\/\*\*\n(.*\n)*export function double/);
    const added = git(repo, 'diff', 'HEAD', '--', 'src/ops.ts')
      .split('\n')
      .filter((l) => /^[+-](?![+-]{2} )/.test(l));
    expect(
      added.every((l) => /^\+\s*(\/\*\*|\*)/.test(l)),
      added.join('\n'),
    ).toBe(true);

    // A third suggestion, for `double` again, against a local change of the same lines.
    git(repo, 'reset', '-q', '--hard');
    const third = (await json(['doc', 'app', 'src/ops.ts:2'])).suggestions[0];
    const mine = ops.replace('double(x: number)', 'double(value: number)');
    fs.writeFileSync(path.join(repo, 'src/ops.ts'), mine);
    const clash = await cli(['apply', third.id, '--yes', '--dir', repo]);
    expect(clash.code).toBe(1);
    expect(clash.err).toContain('nothing was changed');
    expect(clash.err).toMatch(
      /src\/ops\.ts: hunk @@ -1,4 \+1,\d+ @@ clashes with your local change at line 2 \(the lines differ from the job's commit [0-9a-f]{7}\)/,
    );
    expect(fs.readFileSync(path.join(repo, 'src/ops.ts'), 'utf8')).toBe(mine);
    expect(git(repo, 'status', '--porcelain')).toBe('M src/ops.ts');
    expect((await json(['suggestions', 'show', third.id])).state).toBe('proposed');
  });
});
