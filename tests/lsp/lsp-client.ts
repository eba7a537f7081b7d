import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { ROOT } from '../support/server-process.js';

/** The installed language server (npm install links it; npm test builds it first). */
export const LSP_BIN = path.join(ROOT, 'apps/lsp/bin/hivesync-lsp.js');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read arbitrary LSP payloads
type Any = any;

/** What a test client saw the server send. */
export interface LspSeen {
  diagnostics: Map<string, Any[]>;
  messages: { type: number; message: string }[];
  requests: { type: number; message: string; actions?: { title: string }[] }[];
  progress: { token: string | number; value: Any }[];
  edits: Any[];
  logs: string[];
  documents: Any[];
}

/** A language server process with a vscode-languageserver-protocol client on its stdio. */
export interface LspClient {
  proc: ChildProcess;
  conn: ProtocolConnection;
  seen: LspSeen;
  /** What the next workspace/applyEdit request is answered with (default: applied). */
  applyEdit: (edit: Any) => { applied: boolean };
  /** The answer to window/showMessageRequest (default: no choice). */
  chooseAction: (request: { message: string; actions?: { title: string }[] }) => { title: string } | null;
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Starts `hivesync-lsp` with `env` on top of a minimal environment (PATH, HOME) and connects a client that records
 * diagnostics, messages, message requests, progress, applyEdit requests and log lines, and answers
 * workspace/configuration with `configuration`. `bin` is another server to run the same way (the bench's baseline).
 */
export function startLsp(
  env: Record<string, string>,
  configuration: Record<string, unknown> = {},
  bin = LSP_BIN,
): LspClient {
  const proc = spawn(process.execPath, [bin], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const conn = createProtocolConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  const seen: LspSeen = {
    diagnostics: new Map(),
    messages: [],
    requests: [],
    progress: [],
    edits: [],
    logs: [],
    documents: [],
  };
  const client: LspClient = {
    proc,
    conn,
    seen,
    applyEdit: () => ({ applied: true }),
    chooseAction: () => null,
    stderr: () => err,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      try {
        await Promise.race([conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 3000))]);
        await conn.sendNotification('exit');
      } catch {
        // Already gone.
      }
      const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
      conn.dispose();
    },
  };
  conn.onNotification('textDocument/publishDiagnostics', (p: Any) => {
    seen.diagnostics.set(p.uri, p.diagnostics);
  });
  conn.onNotification('window/showMessage', (p: Any) => {
    seen.messages.push(p);
  });
  conn.onNotification('window/logMessage', (p: Any) => {
    seen.logs.push(p.message);
  });
  // jsonrpc routes $/progress itself: tokens nobody registered come here.
  (conn as Any).onUnhandledProgress((p: Any) => {
    seen.progress.push(p);
  });
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('workspace/configuration', (p: Any) => p.items.map(() => configuration));
  conn.onRequest('window/showMessageRequest', (p: Any) => {
    seen.requests.push(p);
    return client.chooseAction(p);
  });
  conn.onRequest('window/showDocument', (p: Any) => {
    seen.documents.push(p);
    return { success: true };
  });
  conn.onRequest('workspace/applyEdit', (p: Any) => {
    seen.edits.push(p);
    return client.applyEdit(p.edit);
  });
  conn.listen();
  return client;
}

/** The client capabilities a test client announces: what Neovim and VS Code announce for these features. */
export const CLIENT_CAPABILITIES = {
  window: { workDoneProgress: true, showDocument: { support: true }, showMessage: {} },
  workspace: {
    configuration: true,
    applyEdit: true,
    workspaceEdit: { documentChanges: true, resourceOperations: ['create', 'delete'] },
    executeCommand: {},
    symbol: {},
  },
  textDocument: { publishDiagnostics: {}, codeAction: {}, rename: { prepareSupport: true } },
};
