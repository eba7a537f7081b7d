import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithoutTestRepos } from '../../apps/server/src/test/test-repos.js';
import type { EditorFixture } from '../lsp/fixture.js';
import { ROOT } from '../support/server-process.js';
import { expectDocApplied, expectQuickfixLists, GRACE_THREAD, runEditor, type EditorRun } from './editor-run.js';
import { editorAvailable } from './editors.js';

/** What tests/editors/nvim-test.lua writes. */
interface NvimRun extends EditorRun {
  notes: string[];
  diagnostics: { lnum: number; end_lnum: number; message: string; severity: number; source: string }[];
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

    beforeAll(async () => {
      const script = path.join(ROOT, 'tests/editors/nvim-test.lua');
      const started = await runEditor<NvimRun>(
        'nvim',
        ['--headless', '-u', 'NONE', '-i', 'NONE', '-c', `luafile ${script}`],
        'HIVESYNC_NVIM_PLUGIN',
      );
      ({ fx, run } = started);
      expect(run.error, `${run.error}\nnotes: ${JSON.stringify(run.notes)}\n${started.output}`).toBeUndefined();
      expect(started.code).toBe(0);
    }, 900_000);

    afterAll(async () => {
      await fx?.close();
    });

    it("shows Grace's thread as a diagnostic on its lines", () => {
      expect(run.diagnostics).toEqual([
        {
          lnum: 58,
          end_lnum: 59,
          message: GRACE_THREAD,
          severity: 3, // vim.diagnostic.severity.INFO
          source: 'HiveSync',
        },
      ]);
    });

    it(':HiveSyncDoc edits the buffer with the suggestion (unsaved, undoable) and the server says applied', async () => {
      await expectDocApplied(fx, run);
    });

    it(':HiveSyncSearch and :HiveSyncThreads fill the quickfix list', () => {
      expectQuickfixLists(run);
    });
  },
);
