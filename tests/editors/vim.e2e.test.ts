import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithoutTestRepos } from '../../apps/server/src/test/test-repos.js';
import { editorFixture, gitApplied, type EditorFixture } from '../lsp/fixture.js';
import { ROOT } from '../support/server-process.js';
import { editorAvailable } from './editors.js';

/** What tests/editors/vim-test.vim writes. */
interface VimRun {
  ok: boolean;
  step: string;
  log: string[];
  error?: string;
  signs: { lnum: number; name: string }[];
  diagnostics: { range: unknown; message: string; severity: number }[];
  popup: { lines: string[]; title: string };
  doc: { buffer: string; modified: boolean; lines: string[] };
  search: { file: string; lnum: number; col: number; text: string }[];
  search_title: string;
  threads: { file: string; lnum: number; text: string }[];
}

/**
 * editors/vim in Debian's Vim 9, headless (`vim -Nu NONE -i NONE -Es -S …`), over Vim's LSP channel mode against a
 * real server and hivesync-lsp found on the PATH as npm installs it: a thread appears as a sign with its text in a
 * popup, :HiveSyncDoc edits the buffer with the suggestion, :HiveSyncSearch and :HiveSyncThreads fill the quickfix
 * list.
 */
describe.skipIf(!editorAvailable('vim', 'apt-get install vim') || skipWithoutTestRepos('express'))(
  'the Vim 9 plugin',
  () => {
    let fx: EditorFixture;
    let run: VimRun;
    let vimOutput = '';

    beforeAll(async () => {
      fx = await editorFixture('vim');
      await fx.grace.threads.create(fx.projectId, {
        path: 'lib/application.js',
        start_line: 59,
        end_line: 60,
        body: 'Why does **init** set the defaults here?',
      });
      const outFile = path.join(fx.home, 'vim-out.json');
      const child = spawn(
        'vim',
        ['-Nu', 'NONE', '-i', 'NONE', '-Es', '-S', path.join(ROOT, 'tests/editors/vim-test.vim')],
        {
          cwd: fx.workspace,
          env: {
            ...fx.lspEnv,
            PATH: `${path.join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
            HIVESYNC_VIM_PLUGIN: path.join(ROOT, 'editors/vim'),
            HIVESYNC_TEST_SERVER: fx.server.url,
            HIVESYNC_TEST_WORKSPACE: fx.workspace,
            HIVESYNC_TEST_OUT: outFile,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      child.stdout.on('data', (d: Buffer) => (vimOutput += d.toString()));
      child.stderr.on('data', (d: Buffer) => (vimOutput += d.toString()));
      // A hung Vim is stopped in time to report how far it got (the result file holds the steps done).
      const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      clearTimeout(timer);
      expect(fs.existsSync(outFile), `vim exited ${code} without a result:\n${vimOutput}`).toBe(true);
      run = JSON.parse(fs.readFileSync(outFile, 'utf8')) as VimRun;
      expect(run.error, `step ${run.step}: ${run.error}\n\n${vimOutput}`).toBeUndefined();
      expect(run.ok, `Vim stopped at step ${run.step}:\n${vimOutput}`).toBe(true);
      expect(code).toBe(0);
    }, 900_000);

    afterAll(async () => {
      await fx?.close();
    });

    it("shows Grace's thread as a sign on its line, and its text in a popup", () => {
      expect(run.signs).toEqual([{ lnum: 59, name: 'HiveSyncThread' }]);
      expect(run.diagnostics).toEqual([
        {
          range: { start: { line: 58, character: 0 }, end: { line: 59, character: 20 } },
          message: 'Grace: Why does init set the defaults here? · 0 replies',
          severity: 3,
        },
      ]);
      expect(run.popup).toEqual({
        title: ' HiveSync thread ',
        lines: ['Grace: Why does init set the defaults here? · 0 replies'],
      });
    });

    it(':HiveSyncDoc edits the buffer with the suggestion (unsaved, undoable) and the server says applied', async () => {
      expect(run.doc.buffer).toMatch(/lib\/response\.js$/);
      expect(run.doc.modified).toBe(true);
      const { suggestions } = await fx.ada.ai.suggestions(fx.projectId, { state: 'applied' });
      expect(suggestions).toHaveLength(1);
      const job = await fx.ada.ai.get(suggestions[0]!.job_id);
      const expected = gitApplied(fx.remote, job.commit, suggestions[0]!.patch, 'lib/response.js', fx.home);
      expect(`${run.doc.lines.join('\n')}\n`).toBe(expected);
      // The file on disk is untouched until :w.
      expect(fs.readFileSync(path.join(fx.workspace, 'lib/response.js'), 'utf8')).not.toBe(expected);
    });

    it(':HiveSyncSearch and :HiveSyncThreads fill the quickfix list', () => {
      expect(run.search_title, JSON.stringify(run.log)).toBe('HiveSync search: function sendfile(');
      expect(run.search.length, JSON.stringify(run.log)).toBe(1);
      expect(run.search).toEqual([
        {
          file: expect.stringMatching(/lib\/response\.js$/),
          lnum: 924,
          col: 1,
          text: 'function sendfile(res, file, options, callback) {',
        },
      ]);
      expect(run.threads).toEqual([
        {
          file: expect.stringMatching(/lib\/application\.js$/),
          lnum: 59,
          text: 'Grace: Why does init set the defaults here? · 0 replies',
        },
      ]);
    });
  },
);
