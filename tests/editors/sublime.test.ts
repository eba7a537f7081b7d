import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithoutTestRepos } from '../../apps/server/src/test/test-repos.js';
import { tempDir } from '../../apps/server/src/test/harness.js';
import { editorFixture, gitApplied, type EditorFixture } from '../lsp/fixture.js';
import { ROOT } from '../support/server-process.js';
import { runToResult } from './editor-run.js';

const PLUGIN_DIR = path.join(ROOT, 'editors/sublime');
const TESTS_DIR = path.join(ROOT, 'tests/editors/sublime');
const inCi = process.env.CI === 'true' || process.env.CI === '1';
// Python's bytecode stays out of the plugin's folder (and out of git).
const PY_ENV = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
const PATH_WITH_BIN = `${path.join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`;

/**
 * The python3 the plugin runs under: $HIVESYNC_SUBLIME_PYTHON if set (e.g. a python3.8, Sublime Text 4's plugin
 * host), else Debian's /usr/bin/python3 (what CI has; test_logic.py checks the 3.8 syntax), else the first python3 on
 * the PATH outside CI. Missing under CI is an error.
 */
function python(): string | undefined {
  const wanted = process.env.HIVESYNC_SUBLIME_PYTHON;
  // CI runs Debian's python3 only (what .ci/run installs), never one that happens to be on the PATH.
  for (const candidate of wanted ? [wanted] : inCi ? ['/usr/bin/python3'] : ['/usr/bin/python3', 'python3']) {
    if (spawnSync(candidate, ['--version'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  if (inCi || wanted)
    throw new Error(
      wanted
        ? `HIVESYNC_SUBLIME_PYTHON=${wanted} does not run`
        : 'CI needs /usr/bin/python3 for the Sublime Text plugin tests: apt-get install python3',
    );
  console.warn('skipped: no python3 for the Sublime Text plugin tests (apt-get install python3)');
  return undefined;
}

/** Sublime's JSON (comments and trailing commas allowed), as the stand-in and Sublime read it. */
function sublimeJson(text: string): Record<string, unknown> {
  const plain = text.replace(/"(?:\\.|[^"\\])*"|\/\/[^\n]*|\/\*[\s\S]*?\*\/|,(?=\s*[}\]])/g, (m) =>
    m.startsWith('"') ? m : '',
  );
  return JSON.parse(plain) as Record<string, unknown>;
}

/** The plugin's client configuration, LSP-hivesync.sublime-settings. */
function clientConfig(): { command: string[]; selector: string; settings: Record<string, unknown> } {
  return sublimeJson(fs.readFileSync(path.join(PLUGIN_DIR, 'LSP-hivesync.sublime-settings'), 'utf8')) as never;
}

/** A JSON-RPC peer over a child's stdio with Content-Length framing, written out here (no LSP library). */
function rpc(child: ReturnType<typeof spawn>) {
  let buffer = Buffer.alloc(0);
  let nextId = 1;
  const pending = new Map<number, (msg: Record<string, unknown>) => void>();
  const requests: Record<string, unknown>[] = [];
  const send = (msg: object) => {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }), 'utf8');
    child.stdin!.write(`Content-Length: ${body.length}\r\n\r\n`);
    child.stdin!.write(body);
  };
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const headerEnd = buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, headerEnd).toString('ascii'))?.[1]);
      if (buffer.length < headerEnd + 4 + length) return;
      const msg = JSON.parse(buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8')) as Record<
        string,
        unknown
      >;
      buffer = buffer.subarray(headerEnd + 4 + length);
      if ('method' in msg && 'id' in msg) requests.push(msg);
      else if ('id' in msg) pending.get(msg.id as number)?.(msg);
    }
  });
  return {
    requests,
    send,
    request(method: string, params: unknown): Promise<Record<string, unknown>> {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        send({ id, method, params });
      });
    },
  };
}

const py = python();

describe.skipIf(!py)('the Sublime Text plugin (editors/sublime)', () => {
  it("runs its logic tests under python3 (and parses as Python 3.8, Sublime Text 4's plugin host)", () => {
    const run = spawnSync(py!, ['-m', 'unittest', 'discover', '-v', '-s', TESTS_DIR, '-p', 'test_*.py'], {
      encoding: 'utf8',
      env: PY_ENV,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/Ran (1[5-9]|[2-9]\d) tests/);
  });

  it("its client configuration's command starts hivesync-lsp, which completes initialize over stdio and takes the settings' keys", async () => {
    const config = clientConfig();
    expect(config.command).toEqual(['hivesync-lsp']);
    expect(config.selector).toBe('source | text');
    const home = tempDir('hivesync-sublime-init-');
    // As the LSP package starts it: the command from the PATH (npm links hivesync-lsp into node_modules/.bin).
    const child = spawn(config.command[0]!, config.command.slice(1), {
      cwd: ROOT,
      env: {
        PATH: PATH_WITH_BIN,
        HOME: home.dir,
        XDG_CONFIG_HOME: path.join(home.dir, '.config'),
        HIVESYNC_AGENT_DIR: path.join(home.dir, 'no-agent'),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const peer = rpc(child);
      const started = performance.now();
      const init = await peer.request('initialize', {
        processId: process.pid,
        rootUri: pathToFileURL(ROOT).toString(),
        capabilities: { workspace: { configuration: true, applyEdit: true }, window: { workDoneProgress: true } },
      });
      expect(init.error, stderr).toBeUndefined();
      const result = init.result as {
        capabilities: { executeCommandProvider: { commands: string[] } };
        serverInfo: { name: string };
      };
      expect(result.serverInfo.name).toBe('hivesync-lsp');
      // Every command the Python plugin runs is one the server advertises.
      const pluginCommands = JSON.parse(
        spawnSync(py!, ['-c', 'import json, logic; print(json.dumps(logic.COMMANDS))'], {
          cwd: PLUGIN_DIR,
          encoding: 'utf8',
          env: PY_ENV,
        }).stdout,
      ) as string[];
      expect(pluginCommands.length).toBe(12);
      expect(result.capabilities.executeCommandProvider.commands).toEqual(expect.arrayContaining(pluginCommands));
      console.log(`hivesync-lsp answered initialize in ${Math.round(performance.now() - started)} ms`);

      // The LSP package answers workspace/configuration with its "settings" (dotted keys, nested by section): a
      // serverUrl given there is the server the language server uses.
      peer.send({ method: 'initialized', params: {} });
      const deadline = Date.now() + 30_000;
      while (!peer.requests.some((r) => r.method === 'workspace/configuration')) {
        if (Date.now() > deadline) throw new Error(`no workspace/configuration request: ${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const configRequest = peer.requests.find((r) => r.method === 'workspace/configuration')!;
      expect((configRequest.params as { items: { section: string }[] }).items).toEqual([{ section: 'hivesync' }]);
      const section: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(config.settings)) section[key.replace(/^hivesync\./, '')] = value;
      expect(Object.keys(section).sort()).toEqual(
        [
          'connection',
          'notifications',
          'previewDirectory',
          'previewPlatform',
          'project',
          'serverUrl',
          'threadsPollSeconds',
        ].sort(),
      );
      peer.send({ id: configRequest.id, result: [{ ...section, serverUrl: 'http://127.0.0.1:9/' }] });
      let status: { server?: string } = {};
      while (status.server !== 'http://127.0.0.1:9') {
        if (Date.now() > deadline) throw new Error(`serverUrl not taken: ${JSON.stringify(status)}\n${stderr}`);
        status = (await peer.request('workspace/executeCommand', { command: 'hivesync.status' })).result as never;
        await new Promise((r) => setTimeout(r, 50));
      }
      await peer.request('shutdown', null);
      peer.send({ method: 'exit' });
      await new Promise((r) => child.once('exit', r));
    } finally {
      child.kill();
      home.remove();
    }
  });
});

/** What tests/editors/sublime/run_plugin.py writes. */
interface SublimeRun {
  ok: boolean;
  step: string;
  error?: string;
  traceback?: string;
  server_stderr?: string;
  registered: string[];
  commands: string[];
  server_info: { name: string };
  diagnostics: { range: unknown; message: string; code: string }[];
  status_bar: string;
  status_message: string;
  search_input: [string, string];
  search_items: string[][];
  search_opened: string;
  threads_items: string[][];
  threads_opened: string;
  reply_action: { command: string; arguments: unknown[] };
  reply_prompt: string;
  reply_message: string;
  comment_message: string;
  document_message: string;
  document: { file: string; changed: boolean; dirty: boolean; text: string };
  sync_message: string;
  progress_tokens: string[];
  status_after_unload: string;
  registered_after_unload: string[];
}

/**
 * The plugin's commands under python3 with stand-in sublime/sublime_plugin/LSP.plugin modules, against the real
 * hivesync-lsp started from its client configuration and a real server on an express clone with Grace's thread.
 */
describe.skipIf(!py || skipWithoutTestRepos('express'))('the Sublime Text plugin against a real server', () => {
  let fx: EditorFixture;
  let run: SublimeRun;
  let threadId: string;

  beforeAll(async () => {
    fx = await editorFixture('sublime');
    threadId = (
      await fx.grace.threads.create(fx.projectId, {
        path: 'lib/application.js',
        start_line: 59,
        end_line: 60,
        body: 'Why does **init** set the defaults here?',
      })
    ).thread_id;
    // The user's Packages/User override, as a user points the plugin at their server.
    const userDir = path.join(fx.home, 'Packages-User');
    fs.mkdirSync(userDir);
    fs.writeFileSync(
      path.join(userDir, 'LSP-hivesync.sublime-settings'),
      JSON.stringify({ settings: { 'hivesync.serverUrl': fx.server.url, 'hivesync.threadsPollSeconds': 1 } }),
    );
    const outFile = path.join(fx.home, 'sublime-out.json');
    const { output } = await runToResult(
      'python3',
      py!,
      [path.join(TESTS_DIR, 'run_plugin.py')],
      fx.workspace,
      outFile,
      {
        ...fx.lspEnv,
        PYTHONDONTWRITEBYTECODE: '1',
        PATH: PATH_WITH_BIN,
        HIVESYNC_SUBLIME_PLUGIN: PLUGIN_DIR,
        HIVESYNC_TEST_SERVER: fx.server.url,
        HIVESYNC_TEST_WORKSPACE: fx.workspace,
        HIVESYNC_TEST_USER_DIR: userDir,
      },
    );
    run = JSON.parse(fs.readFileSync(outFile, 'utf8')) as SublimeRun;
    expect(
      run.error,
      `step ${run.step}: ${run.error}\n${run.traceback}\n${run.server_stderr ?? ''}\n${output}`,
    ).toBeUndefined();
    expect(run.ok, `stopped at step ${run.step}:\n${output}`).toBe(true);
  }, 900_000);

  afterAll(async () => {
    await fx?.close();
  });

  it('registers with the LSP package, starts hivesync-lsp from its configuration and shows the thread', () => {
    expect(run.registered).toEqual(['hivesync']);
    expect(run.server_info.name).toBe('hivesync-lsp');
    expect(run.diagnostics).toEqual([
      {
        range: { start: { line: 58, character: 0 }, end: { line: 59, character: 20 } },
        message: 'Grace: Why does init set the defaults here? · 0 replies',
        code: threadId,
      },
    ]);
    expect(run.commands).toEqual(
      expect.arrayContaining([
        'hivesync_sync',
        'hivesync_document',
        'hivesync_search',
        'hivesync_threads',
        'hivesync_comment',
        'hivesync_status',
      ]),
    );
  });

  it('puts the linked project and user in the status bar', () => {
    expect(run.status_bar).toBe('HiveSync: express · ada-sublime@example.test');
    expect(run.status_message).toBe(
      `HiveSync: ${fx.server.url}, connected as ada-sublime@example.test, project express (direct)`,
    );
  });

  it('HiveSync: Search and HiveSync: Threads list locations in a quick panel and open the one picked', () => {
    expect(run.search_input[0]).toMatch(/^Search the project/);
    expect(run.search_items).toEqual([['lib/response.js:924', 'function sendfile(res, file, options, callback) {']]);
    expect(run.search_opened).toBe(`${fx.workspace}/lib/response.js:924:1`);
    expect(run.threads_items).toEqual([
      ['Grace: Why does init set the defaults here? · 0 replies', 'lib/application.js:59'],
    ]);
    expect(run.threads_opened).toBe(`${fx.workspace}/lib/application.js:59:1`);
  });

  it("the Reply code action asks for the text and the reply reaches Grace's thread", async () => {
    expect(run.reply_action).toEqual({ title: 'Reply', command: 'hivesync.thread.reply', arguments: [threadId] });
    expect(run.reply_prompt).toBe('HiveSync reply:');
    expect(run.reply_message).toBe('HiveSync: reply sent');
    const thread = await fx.grace.threads.get(threadId);
    expect((thread.comments ?? []).map((c) => c.body)).toContain('Because init runs for every app, even mounted ones.');
  });

  it('HiveSync: Start a Thread anchors a thread on the selected lines', async () => {
    expect(run.comment_message).toBe('HiveSync: thread started');
    const { threads } = await fx.grace.threads.list(fx.projectId, { path: 'lib/application.js', state: 'all' });
    const mine = threads.find((t) => t.thread_id !== threadId);
    expect(mine?.anchor).toMatchObject({ start_line: 100, end_line: 102 });
    expect(mine?.first_comment?.body).toBe('Sublime Text: is this still needed?');
  });

  it('HiveSync: Document This Function edits the view with the suggestion (unsaved) and the server says applied', async () => {
    expect(run.document_message).toBe('HiveSync: applied the suggestion to 1 file');
    expect(run.document.file).toMatch(/lib\/response\.js$/);
    expect(run.document.dirty).toBe(true);
    const { suggestions } = await fx.ada.ai.suggestions(fx.projectId, { state: 'applied' });
    expect(suggestions).toHaveLength(1);
    const job = await fx.ada.ai.get(suggestions[0]!.job_id);
    expect(run.document.text).toBe(
      gitApplied(fx.remote, job.commit, suggestions[0]!.patch, 'lib/response.js', fx.home),
    );
    expect(fs.readFileSync(path.join(fx.workspace, 'lib/response.js'), 'utf8')).not.toBe(run.document.text);
  });

  it('HiveSync: Sync syncs with work-done progress; unloading clears the status bar and unregisters', () => {
    expect(run.sync_message).toMatch(/^HiveSync: synced [0-9a-f]{7}$/);
    expect(run.progress_tokens.length).toBeGreaterThan(0);
    expect(run.status_after_unload).toBe('');
    expect(run.registered_after_unload).toEqual([]);
  });
});
