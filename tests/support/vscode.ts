import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { ROOT } from './server-process.js';

/** The code-server release the extension is tested in (VS Code 1.100). */
export const CODE_SERVER_VERSION = '4.100.3';
// `HIVESYNC_VSCODE_SCREENSHOTS=1 npx vitest run tests/e2e/vscode.e2e.test.ts` refreshes the pictures of docs/vscode.md.
const SCREENSHOTS = process.env.HIVESYNC_VSCODE_SCREENSHOTS === '1';
const inCi = process.env.CI === 'true' || process.env.CI === '1';

/** Where code-server is installed (`.ci/install-code-server.sh DIR`, DIR in HIVESYNC_CODE_SERVER), or undefined. */
export function codeServerBin(): string | undefined {
  const dir = process.env.HIVESYNC_CODE_SERVER;
  const bin = dir && path.join(dir, 'node_modules/.bin/code-server');
  return bin && fs.existsSync(bin) ? bin : undefined;
}

/** Whether the VS Code tests can run here; in CI a missing code-server fails the run, never skips it. */
export function codeServerAvailable(): boolean {
  if (codeServerBin()) return true;
  if (inCi) {
    throw new Error(
      `CI needs code-server ${CODE_SERVER_VERSION} for the VS Code tests: .ci/run installs it with .ci/install-code-server.sh and sets HIVESYNC_CODE_SERVER (now ${process.env.HIVESYNC_CODE_SERVER ?? 'unset'}).`,
    );
  }
  console.warn(
    `\n  ⚠ skipped: the VS Code tests need code-server: .ci/install-code-server.sh DIR (as root, ~300 MB), then HIVESYNC_CODE_SERVER=DIR npx vitest run tests/e2e/vscode.e2e.test.ts\n`,
  );
  return false;
}

/** Builds the extension and its .vsix the way `npm run build -w hivesync-vscode` does; returns the .vsix. */
export function buildVsix(): string {
  execFileSync('npm', ['run', 'build', '--silent', '-w', 'hivesync-vscode'], { cwd: ROOT, stdio: 'pipe' });
  return path.join(ROOT, 'apps/vscode/dist/hivesync-vscode.vsix');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A running code-server with the extension installed. */
export interface CodeServer {
  url: string;
  userDataDir: string;
  proc: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Installs the .vsix into a fresh extensions dir and starts code-server on `workspace` with `settings` as the
 * user's settings; `env` reaches the extension host (such as HIVESYNC_AGENT_DIR). Everything lives under `dir`.
 */
export async function startCodeServer(options: {
  dir: string;
  vsix: string;
  workspace: string;
  settings: Record<string, unknown>;
  env?: Record<string, string>;
}): Promise<CodeServer> {
  const bin = codeServerBin()!;
  const { dir } = options;
  const config = path.join(dir, 'config.yaml');
  const userDataDir = path.join(dir, 'data');
  const extensionsDir = path.join(dir, 'ext');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(config, 'auth: none\ncert: false\n');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User/settings.json'), JSON.stringify(options.settings, null, 2));
  const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: path.join(dir, '.config'), ...options.env };
  const dirs = ['--config', config, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  execFileSync(bin, [...dirs, '--install-extension', options.vsix], { env, stdio: 'pipe' });
  // code-server's parent process gives its child 10 s for a handshake; on a machine busy with other test suites the
  // child can take longer, and code-server exits with "timed out". That is the machine, not the extension: start
  // it again (a third failure is reported).
  let started: { proc: ChildProcess; port: number; exited: Promise<void>; output: () => string } | undefined;
  for (let attempt = 1; !started; attempt++) {
    const port = await freePort();
    const proc = spawn(
      bin,
      [
        ...dirs,
        '--bind-addr',
        `127.0.0.1:${port}`,
        '--auth',
        'none',
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        options.workspace,
      ],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    try {
      await new Promise<void>((resolve, reject) => {
        const onData = (chunk: Buffer) => {
          out += chunk.toString();
          if (/HTTP server listening on/.test(out)) resolve();
        };
        proc.stdout!.on('data', onData);
        proc.stderr!.on('data', onData);
        void exited.then(() => reject(new Error(`code-server exited:\n${out}`)));
      });
      started = { proc, port, exited, output: () => out };
    } catch (err) {
      if (attempt >= 3 || !/error timed out/.test(out)) throw err;
      console.warn(`code-server timed out starting (attempt ${attempt}); starting it again`);
    }
  }
  const { proc, port, exited, output } = started;
  return {
    url: `http://127.0.0.1:${port}/?folder=${encodeURIComponent(options.workspace)}`,
    userDataDir,
    proc,
    output,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/**
 * What the extension wrote to its "HiveSync" log (the output channel, which VS Code keeps as a file under the user
 * data dir): the connection route, the way each notification came in, errors.
 */
export function extensionLog(code: CodeServer): string {
  const logs = path.join(code.userDataDir, 'logs');
  if (!fs.existsSync(logs)) return '';
  return fs
    .readdirSync(logs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name === 'HiveSync.log' && e.parentPath.includes('hivesync.hivesync-vscode'))
    .map((e) => fs.readFileSync(path.join(e.parentPath, e.name), 'utf8'))
    .join('\n');
}

/** Drives the VS Code workbench in a page the way a person does: the command palette, quick inputs, toasts. */
export class Workbench {
  constructor(readonly page: Page) {
    // On a machine running other suites the workbench can take tens of seconds to show what a click opened.
    page.setDefaultTimeout(90_000);
  }

  /** Opens the workbench and waits until the extension host had time to start. */
  async open(url: string): Promise<void> {
    // The first load compiles and sends the whole workbench: on a busy 2-core machine that takes more than the
    // default 30 s.
    await this.page.goto(url, { waitUntil: 'domcontentloaded', timeout: 180_000 });
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    await this.page.locator('.statusbar').waitFor();
    await this.page.waitForTimeout(3000);
  }

  /**
   * Waits until the HiveSync extension is active: its status bar item is there. On a loaded machine the extension
   * host starts long after the workbench shows.
   */
  async extensionActive(timeout = 300_000): Promise<void> {
    await this.page.locator('.statusbar [id$="hivesync.status"]').waitFor({ timeout });
  }

  /** The quick input box. */
  get input(): Locator {
    return this.page.locator('.quick-input-widget input');
  }

  /**
   * Runs a command by its palette title, such as `HiveSync: Sync with Remote`. The focus goes to the editors first
   * (Ctrl+1), which also closes an open quick input; no Escape, which would hide the toasts on screen (and, inside a
   * comment thread's widget, collapse it). On a loaded machine the palette can open and close again before the title is
   * typed: it is opened afresh (Escape first then, for a dialog that may be in the way), for up to 90 s.
   */
  async command(title: string): Promise<void> {
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    const deadline = Date.now() + 90_000;
    for (let attempt = 0; ; attempt++) {
      const timeout = Math.max(1000, Math.min(15_000, deadline - Date.now()));
      try {
        if (attempt > 0) await this.page.keyboard.press('Escape');
        await this.page.keyboard.press('Control+1');
        await this.page.keyboard.press('F1');
        await this.input.waitFor({ timeout });
        await this.input.fill(`>${title}`, { timeout });
        await row.waitFor({ timeout });
        break;
      } catch (err) {
        if (Date.now() >= deadline) throw err;
      }
    }
    await this.page.keyboard.press('Enter');
  }

  /** Types into the quick input that is open (an input box or a quick pick; `prompt`: the one saying so) and presses Enter. */
  async answer(text: string, options: { waitForRow?: string | RegExp; prompt?: string | RegExp } = {}): Promise<void> {
    // With `prompt`, wait for that input box: the one before it may still be on screen.
    await this.page.locator('.quick-input-widget', { hasText: options.prompt }).waitFor({ state: 'visible' });
    await this.input.fill(text);
    if (options.waitForRow) {
      await this.page.locator('.quick-input-list .monaco-list-row', { hasText: options.waitForRow }).first().waitFor();
    }
    await this.page.keyboard.press('Enter');
  }

  /** Opens a file of the workspace through Quick Open. */
  async openFile(relPath: string, line?: number): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('F1');
    await this.input.waitFor();
    await this.input.fill(relPath);
    await this.page
      .locator('.quick-input-list .monaco-list-row', { hasText: path.basename(relPath) })
      .first()
      .waitFor();
    await this.page.keyboard.press('Enter');
    await this.page.locator('.tab.active', { hasText: path.basename(relPath) }).waitFor();
    if (line !== undefined) await this.goToLine(line);
  }

  /**
   * Moves the cursor of the active editor to a line (Quick Open's `:line`). Enter waits for the "Go to line" row (an
   * Enter pressed before the box has read the text is lost), and the whole is tried again for up to 60 s.
   */
  async goToLine(line: number): Promise<void> {
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: `line ${line}` }).first();
    const deadline = Date.now() + 60_000;
    for (;;) {
      const timeout = Math.max(1000, Math.min(15_000, deadline - Date.now()));
      try {
        await this.page.keyboard.press('F1');
        await this.input.waitFor({ timeout });
        await this.input.fill(`:${line}`, { timeout });
        await row.waitFor({ timeout });
        await this.page.keyboard.press('Enter');
        await this.statusBar(new RegExp(`Ln ${line}, Col`), timeout);
        return;
      } catch (err) {
        if (Date.now() >= deadline) throw err;
        await this.page.keyboard.press('Escape');
      }
    }
  }

  /** A notification whose text matches, as a toast or, once hidden, in the notification center; waits for it. */
  async toast(text: RegExp, timeout = 60_000): Promise<Locator> {
    const toast = this.page.locator('.notifications-toasts .notification-toast', { hasText: text }).last();
    try {
      await toast.waitFor({ timeout });
      return toast;
    } catch (err) {
      // VS Code hides a toast after a while: on a loaded machine one can come and go between two looks. The
      // notification center keeps every notification, with the same buttons.
      const kept = this.page.locator('.notifications-center .notification-list-item', { hasText: text }).last();
      await this.command('Notifications: Show Notifications');
      try {
        await kept.waitFor({ timeout: 10_000 });
        return kept;
      } catch {
        throw err;
      }
    }
  }

  /** Clicks a button of the toast whose text matches. */
  async clickToast(text: RegExp, button: string, timeout = 60_000): Promise<void> {
    const toast = await this.toast(text, timeout);
    await toast.getByRole('button', { name: button, exact: true }).click();
  }

  /** Opens, from the HiveSync side bar's Threads view, the thread whose row shows `text`; returns its widget. */
  async openThreadFromView(text: string): Promise<Locator> {
    await this.command('View: Show HiveSync');
    const row = this.page.locator('.pane', { hasText: 'Threads' }).locator('.monaco-list-row', { hasText: text });
    await row.first().click();
    const widget = this.page.locator('.review-widget', { hasText: text.split(' ').slice(0, 2).join(' ') }).first();
    await widget.waitFor();
    return widget;
  }

  /** Types a reply into a thread's widget and sends it with Ctrl+Enter (the reply box's first action: Reply). */
  async replyInThread(widget: Locator, reply: string): Promise<void> {
    const editor = widget.locator('.comment-form .monaco-editor').last();
    if (!(await editor.isVisible())) await widget.getByText('Write a comment (Markdown)…').click();
    await editor.waitFor({ state: 'visible' });
    await editor.click();
    await this.page.keyboard.type(reply);
    // On a loaded machine the keys can land before the box has focus: send only once the text is in it.
    const firstWord = reply.split(/\s+/)[0]!;
    await editor.locator('.view-lines', { hasText: firstWord }).waitFor({ timeout: 10_000 });
    await this.page.keyboard.press('Control+Enter');
  }

  /** A status bar entry whose text matches; waits for it. */
  async statusBar(text: RegExp, timeout = 60_000): Promise<Locator> {
    const item = this.page.locator('.statusbar .statusbar-item', { hasText: text }).first();
    await item.waitFor({ timeout });
    return item;
  }

  /**
   * What the workbench showed when a step failed, for the log reader: a screenshot (and the status bar's HTML, and
   * the extension's log) in `dir`, named after the step, its path printed.
   */
  async saveFailedStep(dir: string, prefix: string, step: string, code?: CodeServer): Promise<void> {
    const file = path.join(dir, `${prefix}-failed-${step.slice(0, 40).replace(/\W+/g, '-')}.png`);
    if (code) fs.writeFileSync(file.replace(/\.png$/, '.log'), extensionLog(code));
    await this.page.screenshot({ path: file }).catch(() => undefined);
    const bar = await this.page
      .locator('.statusbar')
      .innerHTML()
      .catch(() => '');
    fs.writeFileSync(file.replace(/\.png$/, '.statusbar.html'), bar);
    console.warn(`screenshot of the failed step: ${file}`);
  }

  /** Saves a screenshot for docs/vscode.md when HIVESYNC_VSCODE_SCREENSHOTS=1. */
  async screenshot(name: string): Promise<void> {
    if (SCREENSHOTS) await this.page.screenshot({ path: path.join(ROOT, 'docs/images', `vscode-${name}.png`) });
  }
}
