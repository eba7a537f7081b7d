import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { editorFixture, gitApplied, type EditorFixture } from '../lsp/fixture.js';
import { ROOT } from '../support/server-process.js';

/** What both editors' test scripts (nvim-test.lua, vim-test.vim) write, beyond what each adds. */
export interface EditorRun {
  ok?: boolean;
  error?: string;
  doc: { buffer: string; modified: boolean; lines: string[] };
  search: { file: string; lnum: number; col: number; text: string }[];
  search_title: string;
  threads: { file: string; lnum: number; text: string }[];
}

export const GRACE_THREAD = 'Grace: Why does init set the defaults here? · 0 replies';

/**
 * Starts an editor plugin's end-to-end run: a real server and express (tests/lsp/fixture.ts), a thread by Grace on
 * lib/application.js:59-60, then the editor headless with `args`, hivesync-lsp on its PATH as npm installs it and the
 * plugin's folder in `pluginVar`. The editor's script writes its result to `HIVESYNC_TEST_OUT`, which is returned;
 * a hung editor is killed after 10 minutes so the result file can say how far it got.
 */
export async function runEditor<T extends EditorRun>(
  editor: 'nvim' | 'vim',
  args: string[],
  pluginVar: string,
): Promise<{ fx: EditorFixture; run: T; output: string; code: number | null }> {
  const fx = await editorFixture(editor);
  await fx.grace.threads.create(fx.projectId, {
    path: 'lib/application.js',
    start_line: 59,
    end_line: 60,
    body: 'Why does **init** set the defaults here?',
  });
  // The fixture is the caller's to close once this returns; until then, a failure here closes it.
  try {
    const outFile = path.join(fx.home, `${editor}-out.json`);
    const { output, code } = await runToResult(editor, editor, args, fx.workspace, outFile, {
      ...fx.lspEnv,
      PATH: `${path.join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      [pluginVar]: path.join(ROOT, 'editors', editor),
      HIVESYNC_TEST_SERVER: fx.server.url,
      HIVESYNC_TEST_WORKSPACE: fx.workspace,
    });
    return { fx, run: JSON.parse(fs.readFileSync(outFile, 'utf8')) as T, output, code };
  } catch (err) {
    await fx.close();
    throw err;
  }
}

/**
 * Runs an editor (or a stand-in for one) headless until it exits, with `HIVESYNC_TEST_OUT` set to `outFile`, where its
 * test script writes what it saw; killed after 10 minutes so the file can say how far it got. Fails when it wrote none.
 */
export async function runToResult(
  label: string,
  file: string,
  args: string[],
  cwd: string,
  outFile: string,
  env: Record<string, string>,
): Promise<{ output: string; code: number | null }> {
  const child = spawn(file, args, {
    cwd,
    env: { ...env, HIVESYNC_TEST_OUT: outFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  expect(fs.existsSync(outFile), `${label} exited ${code} without a result:\n${output}`).toBe(true);
  return { output, code };
}

/** :HiveSyncDoc left the buffer edited with the applied suggestion, unsaved, and the file on disk as it was. */
export async function expectDocApplied(fx: EditorFixture, run: EditorRun): Promise<void> {
  expect(run.doc.buffer).toMatch(/lib\/response\.js$/);
  expect(run.doc.modified).toBe(true);
  const { suggestions } = await fx.ada.ai.suggestions(fx.projectId, { state: 'applied' });
  expect(suggestions).toHaveLength(1);
  const job = await fx.ada.ai.get(suggestions[0]!.job_id);
  const expected = gitApplied(fx.remote, job.commit, suggestions[0]!.patch, 'lib/response.js', fx.home);
  expect(`${run.doc.lines.join('\n')}\n`).toBe(expected);
  // The file on disk is untouched until :w.
  expect(fs.readFileSync(path.join(fx.workspace, 'lib/response.js'), 'utf8')).not.toBe(expected);
}

/** :HiveSyncSearch and :HiveSyncThreads filled the quickfix list. */
export function expectQuickfixLists(run: EditorRun, context = ''): void {
  expect(run.search_title, context).toBe('HiveSync search: function sendfile(');
  expect(run.search, context).toEqual([
    {
      file: expect.stringMatching(/lib\/response\.js$/),
      lnum: 924,
      col: 1,
      text: 'function sendfile(res, file, options, callback) {',
    },
  ]);
  expect(run.threads).toEqual([{ file: expect.stringMatching(/lib\/application\.js$/), lnum: 59, text: GRACE_THREAD }]);
}
