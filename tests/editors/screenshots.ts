/**
 * The pictures of docs/editors.md, from the real editors: a server on an express clone with a thread by Grace, then
 * Neovim and Vim (each with its plugin and hivesync-lsp) in tmux, captured with `tmux capture-pane -e -p`, turned
 * into HTML by ansi-to-html (xterm's palette) and photographed by Chromium.
 *
 *   node --import tsx tests/editors/screenshots.ts        (needs tmux, nvim, vim, chromium)
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import Convert from 'ansi-to-html';
import { launchChromium } from '../support/browser.js';
import { ROOT } from '../support/server-process.js';
import { editorFixture, type EditorFixture } from '../lsp/fixture.js';

const SOCKET = `hivesync-shots-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });

async function capture(name: string, until: (screen: string) => boolean, keys: string[] = []): Promise<string> {
  const deadline = Date.now() + 90_000;
  let screen = '';
  while (Date.now() < deadline) {
    screen = tmux('capture-pane', '-p', '-t', name);
    if (until(screen)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  if (!until(screen)) throw new Error(`${name}: the screen never showed what was expected:\n${screen}`);
  for (const k of keys) {
    tmux('send-keys', '-t', name, k);
    await new Promise((r) => setTimeout(r, 1500));
  }
  return tmux('capture-pane', '-e', '-p', '-t', name);
}

async function photograph(ansi: string, file: string): Promise<void> {
  // xterm's 16 colors (ansi-to-html fills 16-255 with xterm's cube and grays itself): black stays black, so a
  // black-on-yellow sign reads as the terminal shows it.
  const palette = [
    '#000000',
    '#cd0000',
    '#00cd00',
    '#cdcd00',
    '#0000ee',
    '#cd00cd',
    '#00cdcd',
    '#e5e5e5',
    '#7f7f7f',
    '#ff0000',
    '#00ff00',
    '#ffff00',
    '#5c5cff',
    '#ff00ff',
    '#00ffff',
    '#ffffff',
  ];
  const html = new Convert({ fg: '#e5e5e5', bg: '#000000', escapeXML: true, colors: palette }).toHtml(ansi);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 700 }, deviceScaleFactor: 1 });
    await page.setContent(
      `<!doctype html><meta charset="utf-8"><style>body{margin:0;background:#000}pre{margin:0;padding:8px;display:inline-block;color:#e5e5e5;background:#000;font:14px/1.25 "DejaVu Sans Mono",monospace}</style><pre>${html}</pre>`,
    );
    await page.locator('pre').screenshot({ path: file });
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const fx: EditorFixture = await editorFixture('shots');
  try {
    const thread = await fx.grace.threads.create(fx.projectId, {
      path: 'lib/application.js',
      start_line: 59,
      end_line: 60,
      body: 'Why does **init** set the defaults here, and not in the constructor?',
    });
    await fx.grace.threads.reply(thread.thread_id, 'Asking because `app` is a function, not a class.');
    const env = {
      ...fx.lspEnv,
      PATH: `${path.join(ROOT, 'node_modules/.bin')}:${process.env.PATH}`,
      TERM: 'xterm-256color',
    };
    const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    const file = path.join(fx.workspace, 'lib/application.js');

    // Neovim: the thread as a diagnostic (virtual text), then its float.
    tmux(
      'new-session',
      '-d',
      '-s',
      'nvim',
      '-x',
      '100',
      '-y',
      '28',
      ...envArgs,
      '-c',
      fx.workspace,
      [
        // A login shell may reset PATH: the command gets it explicitly.
        `env PATH=${env.PATH}`,
        'nvim -u NONE -i NONE',
        `--cmd 'set rtp^=${path.join(ROOT, 'editors/nvim')}'`,
        `--cmd 'runtime plugin/hivesync.lua'`,
        `-c 'syntax on' -c 'set number signcolumn=yes'`,
        `-c 'lua require("hivesync").setup({ server_url = "${fx.server.url}", threads_poll_seconds = 1 })'`,
        `+59 ${file}`,
      ].join(' '),
    );
    const nvim = await capture('nvim', (s) => s.includes('Grace: Why does init'), [
      ':lua vim.diagnostic.open_float()',
      'Enter',
    ]);
    await photograph(nvim, path.join(ROOT, 'docs/images/editors-nvim-thread.png'));
    tmux('kill-session', '-t', 'nvim');

    // Vim: the sign, then the thread's popup (:HiveSyncThread).
    tmux(
      'new-session',
      '-d',
      '-s',
      'vim',
      '-x',
      '100',
      '-y',
      '28',
      ...envArgs,
      '-c',
      fx.workspace,
      [
        `env PATH=${env.PATH}`,
        'vim -Nu NONE -i NONE',
        `--cmd 'set rtp^=${path.join(ROOT, 'editors/vim')}'`,
        `--cmd "let g:hivesync_server_url = '${fx.server.url}'"`,
        `--cmd 'let g:hivesync_threads_poll_seconds = 1'`,
        `--cmd 'runtime plugin/hivesync.vim'`,
        `-c 'syntax on' -c 'set number signcolumn=yes'`,
        `+59 ${file}`,
      ].join(' '),
    );
    const vim = await capture('vim', (s) => /»\s+59 app\.init/.test(s), [':HiveSyncThread', 'Enter']);
    await photograph(vim, path.join(ROOT, 'docs/images/editors-vim-thread.png'));
    tmux('kill-session', '-t', 'vim');
  } finally {
    try {
      tmux('kill-server');
    } catch {
      // Already gone.
    }
    await fx.close();
  }
  console.log('docs/images/editors-nvim-thread.png, docs/images/editors-vim-thread.png');
}

await main();
