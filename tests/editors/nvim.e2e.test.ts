import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithoutTestRepos } from '../../apps/server/src/test/test-repos.js';
import { editorFixture, gitApplied, type EditorFixture } from '../lsp/fixture.js';
import { ROOT } from '../support/server-process.js';
import { editorAvailable } from './editors.js';

/** What tests/editors/nvim-test.lua writes. */
interface NvimRun {
  ok: boolean;
  error?: string;
  notes: string[];
  diagnostics: { lnum: number; end_lnum: number; message: string; severity: number; source: string }[];
  doc: { buffer: string; modified: boolean; lines: string[] };
  search: { file: string; lnum: number; col: number; text: string }[];
  search_title: string;
  threads: { file: string; lnum: number; text: string }[];
}

/**
 * editors/nvim in Debian's Neovim 0.7.2, headless (`nvim --headless -u NONE -i NONE -c 'luafile …'`), against a real
 * server and hivesync-lsp found on the PATH as npm installs it: a thread appears as a diagnostic, :HiveSyncDoc edits
 * the buffer with the suggestion, :HiveSyncSearch and :HiveSyncThreads fill the quickfix list.
 */
describe.skipIf(!editorAvailable('nvim', 'apt-get install neovim') || skipWithoutTestRepos('express'))(
  'the Neovim plugin',
  () => {
    let fx: EditorFixture;
    let run: NvimRun;
    let nvimOutput = '';

    beforeAll(async () => {
      fx = await editorFixture('nvim');
      await fx.grace.threads.create(fx.projectId, {
        path: 'lib/application.js',
        start_line: 59,
        end_line: 60,
        body: 'Why does **init** set the defaults here?',
      });
      const outFile = path.join(fx.home, 'nvim-out.json');
      const child = spawn(
        'nvim',
        ['--headless', '-u', 'NONE', '-i', 'NONE', '-c', `luafile ${path.join(ROOT, 'tests/editors/nvim-test.lua')}`],
        {
          cwd: fx.workspace,
          env: {
            ...fx.lspEnv,
            PATH: `${path.join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
            HIVESYNC_NVIM_PLUGIN: path.join(ROOT, 'editors/nvim'),
            HIVESYNC_TEST_SERVER: fx.server.url,
            HIVESYNC_TEST_WORKSPACE: fx.workspace,
            HIVESYNC_TEST_OUT: outFile,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      child.stdout.on('data', (d: Buffer) => (nvimOutput += d.toString()));
      child.stderr.on('data', (d: Buffer) => (nvimOutput += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(fs.existsSync(outFile), `nvim exited ${code} without a result:\n${nvimOutput}`).toBe(true);
      run = JSON.parse(fs.readFileSync(outFile, 'utf8')) as NvimRun;
      expect(run.error, `${run.error}\nnotes: ${JSON.stringify(run.notes)}\n${nvimOutput}`).toBeUndefined();
      expect(code).toBe(0);
    }, 900_000);

    afterAll(async () => {
      await fx?.close();
    });

    it("shows Grace's thread as a diagnostic on its lines", () => {
      expect(run.diagnostics).toEqual([
        {
          lnum: 58,
          end_lnum: 59,
          message: 'Grace: Why does init set the defaults here? · 0 replies',
          severity: 3, // vim.diagnostic.severity.INFO
          source: 'HiveSync',
        },
      ]);
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
      expect(run.search_title).toBe('HiveSync search: function sendfile(');
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
