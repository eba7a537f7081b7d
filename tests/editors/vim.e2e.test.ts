import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithoutTestRepos } from '../../apps/server/src/test/test-repos.js';
import type { EditorFixture } from '../lsp/fixture.js';
import { ROOT } from '../support/server-process.js';
import { expectDocApplied, expectQuickfixLists, GRACE_THREAD, runEditor, type EditorRun } from './editor-run.js';
import { editorAvailable } from './editors.js';

/** What tests/editors/vim-test.vim writes. */
interface VimRun extends EditorRun {
  step: string;
  log: string[];
  signs: { lnum: number; name: string }[];
  diagnostics: { range: unknown; message: string; severity: number }[];
  popup: { lines: string[]; title: string };
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

    beforeAll(async () => {
      const started = await runEditor<VimRun>(
        'vim',
        ['-Nu', 'NONE', '-i', 'NONE', '-Es', '-S', path.join(ROOT, 'tests/editors/vim-test.vim')],
        'HIVESYNC_VIM_PLUGIN',
      );
      ({ fx, run } = started);
      expect(run.error, `step ${run.step}: ${run.error}\n\n${started.output}`).toBeUndefined();
      expect(run.ok, `Vim stopped at step ${run.step}:\n${started.output}`).toBe(true);
      expect(started.code).toBe(0);
    }, 900_000);

    afterAll(async () => {
      await fx?.close();
    });

    it("shows Grace's thread as a sign on its line, and its text in a popup", () => {
      expect(run.signs).toEqual([{ lnum: 59, name: 'HiveSyncThread' }]);
      expect(run.diagnostics).toEqual([
        {
          range: { start: { line: 58, character: 0 }, end: { line: 59, character: 20 } },
          message: GRACE_THREAD,
          severity: 3,
        },
      ]);
      expect(run.popup).toEqual({ title: ' HiveSync thread ', lines: [GRACE_THREAD] });
    });

    it(':HiveSyncDoc edits the buffer with the suggestion (unsaved, undoable) and the server says applied', async () => {
      await expectDocApplied(fx, run);
    });

    it(':HiveSyncSearch and :HiveSyncThreads fill the quickfix list', () => {
      expectQuickfixLists(run, JSON.stringify(run.log));
    });
  },
);
