import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEdits } from '../../apps/lsp/src/edits.js';
import { skipWithoutTestRepos } from '../../apps/server/src/test/test-repos.js';
import { editorFixture, gitApplied, type EditorFixture } from './fixture.js';
import { CLIENT_CAPABILITIES, startLsp, type LspClient } from './lsp-client.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- LSP payloads
type Any = any;

/**
 * hivesync-lsp over stdio, driven by vscode-languageserver-protocol's client, against a real server on a clone of
 * express: Ada is logged in with the CLI (the server reads that login; the editor holds no token), Grace acts through
 * the SDK.
 */
describe.skipIf(skipWithoutTestRepos('express'))('the HiveSync language server (hivesync-lsp)', () => {
  let fx: EditorFixture;
  let lsp: LspClient;
  const texts = new Map<string, { text: string; version: number }>();
  const uri = (p: string) => pathToFileURL(path.join(fx.workspace, p)).toString();

  async function open(p: string, languageId = 'javascript'): Promise<string> {
    const u = uri(p);
    const text = fs.readFileSync(path.join(fx.workspace, p), 'utf8');
    texts.set(u, { text, version: 1 });
    await lsp.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: u, languageId, version: 1, text } });
    return u;
  }

  // Applies a WorkspaceEdit to the open texts (as an editor does) and tells the server.
  function applyToTexts(edit: Any): void {
    for (const change of edit.documentChanges ?? []) {
      if (!change.textDocument) continue;
      const doc = texts.get(change.textDocument.uri)!;
      doc.text = applyEdits(doc.text, change.edits);
      doc.version++;
      void lsp.conn.sendNotification('textDocument/didChange', {
        textDocument: { uri: change.textDocument.uri, version: doc.version },
        contentChanges: [{ text: doc.text }],
      });
    }
  }

  beforeAll(async () => {
    fx = await editorFixture('lsp');
    lsp = startLsp(fx.lspEnv, { threadsPollSeconds: 1 });
    lsp.applyEdit = (edit) => {
      applyToTexts(edit);
      return { applied: true };
    };
  }, 300_000);

  afterAll(async () => {
    await lsp?.stop();
    await fx?.close();
  });

  it('initializes, announces its commands, and connects with the CLI login, linked to the project by the remote', async () => {
    const init: Any = await lsp.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(fx.workspace).toString(),
      workspaceFolders: [{ uri: pathToFileURL(fx.workspace).toString(), name: 'express' }],
      capabilities: CLIENT_CAPABILITIES,
      initializationOptions: { serverUrl: fx.server.url },
    });
    await lsp.conn.sendNotification('initialized', {});
    expect(init.serverInfo.name).toBe('hivesync-lsp');
    expect(init.capabilities.executeCommandProvider.commands).toEqual(
      expect.arrayContaining(['hivesync.sync', 'hivesync.search', 'hivesync.ai.document']),
    );
    expect(init.capabilities.renameProvider).toEqual({ prepareProvider: true });
    await expect
      .poll(() => lsp.conn.sendRequest('workspace/executeCommand', { command: 'hivesync.status', arguments: [] }), {
        timeout: 30_000,
      })
      .toMatchObject({ connected: true, user: 'ada-lsp@example.test', project: 'express', route: 'direct' });
  }, 60_000);

  it("shows Grace's thread as a diagnostic at its lines, with its text, author and replies", async () => {
    const thread = await fx.grace.threads.create(fx.projectId, {
      path: 'lib/application.js',
      start_line: 59,
      end_line: 60,
      body: 'Why does **init** set the defaults here?',
    });
    await fx.grace.threads.reply(thread.thread_id, 'Asking for a friend.');
    const u = await open('lib/application.js');
    await expect.poll(() => lsp.seen.diagnostics.get(u)?.length ?? 0, { timeout: 30_000 }).toBe(1);
    const [d] = lsp.seen.diagnostics.get(u)!;
    expect(d.range).toEqual({ start: { line: 58, character: 0 }, end: { line: 59, character: 20 } });
    expect(texts.get(u)!.text.split('\n')[59]).toBe('  var router = null;');
    expect(d.severity).toBe(3); // Information
    expect(d.source).toBe('HiveSync');
    expect(d.code).toBe(thread.thread_id);
    expect(d.message).toBe('Grace: Why does init set the defaults here? · 1 reply');

    // Reply, Resolve and Open in browser as code actions on its lines; Reply posts the text.
    const actions: Any[] = await lsp.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri: u },
      range: { start: { line: 59, character: 2 }, end: { line: 59, character: 2 } },
      context: { diagnostics: [d] },
    });
    const titles = actions.map((a) => a.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        'HiveSync: Reply to "Why does init set the defaults here?"',
        'HiveSync: Resolve "Why does init set the defaults here?"',
        'HiveSync: Open "Why does init set the defaults here?" in browser',
      ]),
    );
    const reply = actions.find((a) => a.title.startsWith('HiveSync: Reply'));
    await lsp.conn.sendRequest('workspace/executeCommand', {
      command: reply.command.command,
      arguments: [...reply.command.arguments, 'Because `app` is ready only after it.'],
    });
    const after = await fx.grace.threads.get(thread.thread_id);
    expect(after.comments?.map((c) => `${c.author_name}: ${c.body}`)).toEqual([
      'Grace: Why does **init** set the defaults here?',
      'Grace: Asking for a friend.',
      'Ada: Because `app` is ready only after it.',
    ]);
    await expect
      .poll(() => lsp.seen.diagnostics.get(u)?.[0]?.message)
      .toBe('Grace: Why does init set the defaults here? · 2 replies');
    const browser = actions.find((a) => a.title.endsWith('in browser'));
    const opened: Any = await lsp.conn.sendRequest('workspace/executeCommand', browser.command);
    expect(opened.url).toBe(`${fx.server.url}/projects/${fx.projectId}/threads/${thread.thread_id}`);
    expect(lsp.seen.documents.at(-1)).toEqual({ uri: opened.url, external: true });

    // An editor that cannot ask for a code action's text (textActions: false, as the JetBrains plugin sets) is not
    // offered the actions that need one: Reply, Rename, Start a thread (and Refactor).
    const titlesNow = async () =>
      (
        (await lsp.conn.sendRequest('textDocument/codeAction', {
          textDocument: { uri: u },
          range: { start: { line: 59, character: 2 }, end: { line: 59, character: 8 } },
          context: { diagnostics: [d] },
        })) as Any[]
      ).map((a) => a.title as string);
    await lsp.conn.sendNotification('workspace/didChangeConfiguration', {
      settings: { hivesync: { textActions: false } },
    });
    await expect.poll(async () => (await titlesNow()).some((t) => t.startsWith('HiveSync: Reply'))).toBe(false);
    const without = await titlesNow();
    expect(without.filter((t) => /Reply|Rename|Start a thread|Refactor/.test(t))).toEqual([]);
    expect(without).toEqual(
      expect.arrayContaining([
        'HiveSync: Resolve "Why does init set the defaults here?"',
        'HiveSync: Open "Why does init set the defaults here?" in browser',
      ]),
    );
    await lsp.conn.sendNotification('workspace/didChangeConfiguration', {
      settings: { hivesync: { textActions: true } },
    });
    await expect.poll(async () => (await titlesNow()).some((t) => t.startsWith('HiveSync: Reply'))).toBe(true);
  }, 60_000);

  it('documents the function at the cursor: a WorkspaceEdit whose text is the patch, reported with progress, then marked applied', async () => {
    const u = await open('lib/response.js');
    const actions: Any[] = await lsp.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri: u },
      range: { start: { line: 923, character: 4 }, end: { line: 923, character: 4 } },
      context: { diagnostics: [] },
    });
    const doc = actions.find((a) => a.title === 'HiveSync: Document this function (sendfile)');
    expect(doc, JSON.stringify(actions.map((a) => a.title))).toBeDefined();
    const before = texts.get(u)!.text;
    const progressBefore = lsp.seen.progress.length;
    const result: Any = await lsp.conn.sendRequest('workspace/executeCommand', doc.command);
    expect(result).toMatchObject({ applied: true, files: ['lib/response.js'] });
    const suggestion = await fx.ada.ai.suggestion(result.suggestion_id);
    expect(suggestion.state).toBe('applied');
    const job = await fx.ada.ai.get(suggestion.job_id);
    // The edit the editor got turns the file into exactly what `git apply` of the suggestion's patch gives.
    expect(lsp.seen.edits).toHaveLength(1);
    expect(lsp.seen.edits[0].label).toBe(`HiveSync: ${suggestion.description}`);
    const expected = gitApplied(fx.remote, job.commit, suggestion.patch, 'lib/response.js', fx.home);
    expect(texts.get(u)!.text).toBe(expected);
    expect(texts.get(u)!.text).not.toBe(before);
    expect(expected.slice(0, expected.indexOf('function sendfile(res, file'))).toMatch(/\/\*\*\n(?: \*.*\n)* \*\/\n$/);
    // Work-done progress: begin, at least one report, end, on one token.
    const progress = lsp.seen.progress.slice(progressBefore);
    const kinds = progress.map((p) => p.value.kind);
    expect(kinds[0]).toBe('begin');
    expect(progress[0]!.value.title).toBe('HiveSync: documenting sendfile');
    expect(kinds).toContain('report');
    expect(kinds.at(-1)).toBe('end');
    expect(new Set(progress.map((p) => p.token)).size).toBe(1);
  }, 240_000);

  it("renames across the project with the server's rename (textDocument/rename), marked applied", async () => {
    const u = uri('lib/application.js');
    const line = texts
      .get(u)!
      .text.split('\n')
      .findIndex((l) => l.includes('onerror: logerror.bind(this)'));
    const at = { line, character: texts.get(u)!.text.split('\n')[line]!.indexOf('logerror') + 2 };
    const prepared: Any = await lsp.conn.sendRequest('textDocument/prepareRename', {
      textDocument: { uri: u },
      position: at,
    });
    expect(prepared).toEqual({
      start: { line, character: at.character - 2 },
      end: { line, character: at.character - 2 + 'logerror'.length },
    });
    const edit: Any = await lsp.conn.sendRequest('textDocument/rename', {
      textDocument: { uri: u },
      position: at,
      newName: 'logError',
    });
    const { suggestions } = await fx.ada.ai.suggestions(fx.projectId, { state: 'applied' });
    const suggestion = suggestions.find((s) => s.description.includes('logError'))!;
    expect(suggestion, JSON.stringify(suggestions.map((s) => s.description))).toBeDefined();
    const job = await fx.ada.ai.get(suggestion.job_id);
    applyToTexts(edit);
    expect(texts.get(u)!.text).toBe(gitApplied(fx.remote, job.commit, suggestion.patch, 'lib/application.js', fx.home));
    expect(texts.get(u)!.text).toContain('onerror: logError.bind(this)');
    expect(texts.get(u)!.text).not.toContain('logerror');
  }, 240_000);

  it('searches the mirror (a command returning locations) and finds symbols (workspace/symbol)', async () => {
    const found: Any[] = await lsp.conn.sendRequest('workspace/executeCommand', {
      command: 'hivesync.search',
      arguments: ['function sendfile('],
    });
    expect(found).toEqual([
      {
        uri: uri('lib/response.js'),
        path: 'lib/response.js',
        text: 'function sendfile(res, file, options, callback) {',
        range: { start: { line: 923, character: 0 }, end: { line: 923, character: 18 } },
      },
    ]);
    const symbols: Any[] = await lsp.conn.sendRequest('workspace/symbol', { query: 'sendfile' });
    expect(symbols).toContainEqual({
      name: 'sendfile',
      kind: 12, // Function
      location: {
        uri: uri('lib/response.js'),
        range: { start: { line: 923, character: 9 }, end: { line: 923, character: 17 } },
      },
      containerName: 'lib/response.js',
    });
  }, 60_000);

  it("starts a thread on a range, and Grace's reply to it arrives as a showMessageRequest with Open Thread", async () => {
    lsp.chooseAction = (req) => req.actions?.find((a) => a.title === 'Open Thread') ?? null;
    const u = uri('lib/application.js');
    const created: Any = await lsp.conn.sendRequest('workspace/executeCommand', {
      command: 'hivesync.thread.create',
      arguments: [u, { start: { line: 89, character: 0 }, end: { line: 90, character: 0 } }, 'Is this still needed?'],
    });
    const thread = await fx.grace.threads.get(created.thread_id);
    expect(thread.anchor).toMatchObject({ path: 'lib/application.js', start_line: 90, end_line: 90 });
    await fx.grace.threads.reply(created.thread_id, 'Yes, for the view cache.');
    await expect
      .poll(() => lsp.seen.requests.map((r) => r.message), { timeout: 60_000 })
      .toContain('HiveSync: Grace replied to a thread on lib/application.js:90 in express.');
    const req = lsp.seen.requests.find((r) => r.message.includes('Grace replied'))!;
    expect(req.type).toBe(3);
    expect(req.actions).toEqual([{ title: 'Open Thread' }]);
    // Choosing Open Thread opens the file at the thread.
    await expect
      .poll(() => lsp.seen.documents.find((d) => d.uri === u))
      .toEqual({
        uri: u,
        takeFocus: true,
        selection: { start: { line: 89, character: 0 }, end: { line: 89, character: 0 } },
      });
  }, 90_000);

  it('syncs with work-done progress', async () => {
    const progressBefore = lsp.seen.progress.length;
    const done: Any = await lsp.conn.sendRequest('workspace/executeCommand', {
      command: 'hivesync.sync',
      arguments: [],
      workDoneToken: 'sync-1',
    });
    expect(done.status).toBe('completed');
    const progress = lsp.seen.progress.slice(progressBefore).filter((p) => p.token === 'sync-1');
    expect(progress[0]!.value).toMatchObject({ kind: 'begin', title: 'HiveSync: syncing express' });
    expect(progress.some((p) => p.value.kind === 'report' && /queued|fetching|synced/.test(p.value.message))).toBe(
      true,
    );
    expect(progress.at(-1)!.value.kind).toBe('end');
  }, 240_000);

  it('sends nothing for a file outside the project, and logs and ignores a malformed message', async () => {
    const outside = path.join(fx.home, 'outside.js');
    fs.writeFileSync(outside, 'function outside() {}\n');
    const u = pathToFileURL(outside).toString();
    await lsp.conn.sendNotification('textDocument/didOpen', {
      textDocument: { uri: u, languageId: 'javascript', version: 1, text: 'function outside() {}\n' },
    });
    const actions = await lsp.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri: u },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [] },
    });
    expect(actions).toEqual([]);
    expect(lsp.seen.diagnostics.has(u)).toBe(false);
    // A body that is not JSON, then a header without Content-Length: the server goes on.
    lsp.proc.stdin!.write('Content-Length: 9\r\n\r\n{"broken"');
    await expect.poll(() => lsp.seen.logs.some((l) => l.startsWith('malformed message ignored: '))).toBe(true);
    lsp.proc.stdin!.write('X-Nonsense: 1\r\n\r\n');
    await expect.poll(() => lsp.seen.logs.some((l) => l.includes('Header must provide a Content-Length'))).toBe(true);
    const status: Any = await lsp.conn.sendRequest('workspace/executeCommand', { command: 'hivesync.status' });
    expect(status.connected).toBe(true);
    // Bad arguments are a clear error, not a crash.
    await expect(
      lsp.conn.sendRequest('workspace/executeCommand', { command: 'hivesync.search', arguments: [42] }),
    ).rejects.toThrow('expected a search query');
    expect(lsp.proc.exitCode).toBeNull();
  }, 60_000);

  it('stays up when the server cannot be reached, says so once, and keeps trying', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const offline = startLsp(fx.lspEnv);
    try {
      await offline.conn.sendRequest('initialize', {
        processId: process.pid,
        rootUri: pathToFileURL(fx.workspace).toString(),
        capabilities: CLIENT_CAPABILITIES,
        initializationOptions: { serverUrl: `http://127.0.0.1:${closed}` },
      });
      await offline.conn.sendNotification('initialized', {});
      await expect.poll(() => offline.seen.messages.length, { timeout: 20_000 }).toBe(1);
      expect(offline.seen.messages[0]!.message).toBe(
        `HiveSync: cannot reach http://127.0.0.1:${closed}; trying again in the background.`,
      );
      // It tries again (1 s, 2 s, 4 s…) without saying it again.
      await expect
        .poll(() => offline.seen.logs.filter((l) => l.startsWith('connect failed')).length, { timeout: 20_000 })
        .toBeGreaterThanOrEqual(3);
      expect(offline.seen.messages).toHaveLength(1);
      const status: Any = await offline.conn.sendRequest('workspace/executeCommand', { command: 'hivesync.status' });
      expect(status).toMatchObject({ connected: false });
      await expect(
        offline.conn.sendRequest('workspace/executeCommand', { command: 'hivesync.search', arguments: ['x'] }),
      ).rejects.toThrow(/not connected/);
    } finally {
      await offline.stop();
    }
  }, 60_000);
});
