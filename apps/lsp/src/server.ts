import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  describeNotification,
  functionAt,
  isIdentifier,
  parseSearchInput,
  plainText,
  projectsForRemotes,
  supportsLanguage,
  syncErrorText,
  syncStageText,
  threadLines,
  threadPath,
  type NotificationAction,
} from '@hivesync/editor';
import {
  isHiveSyncError,
  type AiJob,
  type CreateAiJobBody,
  type Notification,
  type Project,
  type Suggestion,
  type Thread,
} from '@hivesync/sdk';
import {
  CodeActionKind,
  DiagnosticSeverity,
  MessageType,
  ResponseError,
  SymbolKind,
  TextDocuments,
  TextDocumentSyncKind,
  WorkDoneProgressReporter,
  type CodeAction,
  type CodeActionParams,
  type Connection,
  type Diagnostic,
  type InitializeParams,
  type InitializeResult,
  type Position,
  type Range,
  type SymbolInformation,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { patchToWorkspaceEdit, PatchConflict, type FileText } from './edits.js';
import { gitHead, gitRemotes, gitTop } from '@hivesync/editor/git';
import { COMMANDS, type SearchLocation, type Settings, type Status, type ThreadItem } from './protocol.js';
import { isUnreachable, LSP_VERSION, normalizeServer, Session } from './session.js';

/** The diagnostics' source, which code actions look for. */
export const SOURCE = 'HiveSync';

const DEFAULTS: Settings = {
  serverUrl: 'http://127.0.0.1:8080',
  connection: 'auto',
  project: '',
  threadsPollSeconds: 30,
  notifications: true,
  previewDirectory: '',
  previewPlatform: 'web',
  textActions: true,
};

/** Settings from initializationOptions or workspace/configuration, each checked; unknown keys are ignored. */
export function readSettings(raw: unknown, base: Settings): Settings {
  const o = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const src = o.hivesync && typeof o.hivesync === 'object' ? (o.hivesync as Record<string, unknown>) : o;
  const str = (k: string) => (typeof src[k] === 'string' ? (src[k] as string) : undefined);
  const out = { ...base };
  const url = str('serverUrl');
  if (url !== undefined && /^https?:\/\//.test(url)) out.serverUrl = url;
  if (src.connection === 'auto' || src.connection === 'direct') out.connection = src.connection;
  if (str('project') !== undefined) out.project = str('project')!;
  if (typeof src.threadsPollSeconds === 'number' && src.threadsPollSeconds >= 1)
    out.threadsPollSeconds = src.threadsPollSeconds;
  if (typeof src.notifications === 'boolean') out.notifications = src.notifications;
  if (typeof src.textActions === 'boolean') out.textActions = src.textActions;
  if (str('previewDirectory') !== undefined) out.previewDirectory = str('previewDirectory')!;
  if (src.previewPlatform === 'web' || src.previewPlatform === 'ios' || src.previewPlatform === 'android')
    out.previewPlatform = src.previewPlatform;
  return out;
}

/** The editor's work-done progress of a request (a null reporter when it sent no token). */
type Progress = WorkDoneProgressReporter | undefined;

/** A user-facing failure of a command: shown, and returned as the request's error. */
class UserError extends Error {}

/**
 * The HiveSync language server: comment threads as diagnostics, AI documentation, renames and refactors as
 * WorkspaceEdits, search, sync, previews and notifications, over one connection (stdio in `hivesync-lsp`).
 */
export class HiveSyncServer {
  private readonly documents = new TextDocuments(TextDocument);
  private settings: Settings = { ...DEFAULTS };
  private session: Session | undefined;
  private root: string | undefined;
  private top: string | undefined;
  private project: Project | undefined;
  private threads: Thread[] = [];
  private threadsLoaded = false;
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private events: AbortController | undefined;
  private readonly ownJobs = new Set<string>();
  private canRefactor = false;
  private linkProblemShown = false;
  private workDoneSupported = false;
  private configurationSupported = false;
  private readonly published = new Set<string>();

  constructor(
    private readonly connection: Connection,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    if (env.HIVESYNC_SERVER && /^https?:\/\//.test(env.HIVESYNC_SERVER)) this.settings.serverUrl = env.HIVESYNC_SERVER;
    connection.onInitialize((p) => this.initialize(p));
    connection.onInitialized(() => void this.initialized());
    connection.onDidChangeConfiguration((p) => void this.configurationChanged(p.settings));
    connection.onCodeAction((p) => this.guard([], () => this.codeActions(p)));
    // The library takes workDoneToken out of the params and hands over its reporter instead.
    connection.onExecuteCommand((p, _cancel, progress) => this.execute(p.command, p.arguments ?? [], progress));
    connection.onPrepareRename((p) => this.guard(null, () => this.prepareRename(p.textDocument.uri, p.position)));
    connection.onRenameRequest((p, _cancel, progress) =>
      this.handle(() => this.rename(p.textDocument.uri, p.position, p.newName, progress)),
    );
    connection.onWorkspaceSymbol((p) => this.guard([], () => this.workspaceSymbols(p.query)));
    connection.onShutdown(() => this.dispose());
    this.documents.onDidOpen((e) => void this.opened(e.document));
    this.documents.onDidClose((e) => {
      if (this.published.delete(e.document.uri))
        void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    });
    this.documents.onDidSave(() => void this.refreshThreads());
    this.documents.listen(connection);
  }

  private initialize(params: InitializeParams): InitializeResult {
    this.settings = readSettings(params.initializationOptions, this.settings);
    const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
    this.root = folder?.startsWith('file:') ? fileURLToPath(folder) : (params.rootPath ?? undefined);
    this.workDoneSupported = params.capabilities.window?.workDoneProgress === true;
    this.configurationSupported = params.capabilities.workspace?.configuration === true;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        codeActionProvider: {
          codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite, CodeActionKind.Source],
        },
        executeCommandProvider: { commands: Object.values(COMMANDS) },
        renameProvider: { prepareProvider: true },
        workspaceSymbolProvider: true,
      },
      serverInfo: { name: 'hivesync-lsp', version: LSP_VERSION },
    };
  }

  private async initialized(): Promise<void> {
    if (this.configurationSupported) {
      try {
        const config: unknown = await this.connection.workspace.getConfiguration('hivesync');
        this.settings = readSettings(config, this.settings);
      } catch (err) {
        this.log(`workspace/configuration: ${String(err)}`);
      }
    }
    this.startSession();
  }

  private async configurationChanged(raw: unknown): Promise<void> {
    const before = this.settings;
    let next = readSettings(raw, before);
    if (this.configurationSupported) {
      try {
        next = readSettings(await this.connection.workspace.getConfiguration('hivesync'), next);
      } catch {
        // The pushed settings are enough.
      }
    }
    this.settings = next;
    if (next.serverUrl !== before.serverUrl || next.connection !== before.connection || next.project !== before.project)
      this.startSession();
    else this.startThreadsPoll();
  }

  private startSession(): void {
    this.session?.dispose();
    this.events?.abort();
    this.project = undefined;
    this.threads = [];
    this.threadsLoaded = false;
    let server: string;
    try {
      server = normalizeServer(this.settings.serverUrl);
    } catch {
      this.show(MessageType.Error, `HiveSync: serverUrl is not a URL: ${this.settings.serverUrl}`);
      return;
    }
    const session = new Session(
      server,
      this.settings.connection,
      {
        log: (m) => this.log(m),
        warn: (m) => this.log(m),
        show: (kind, m) =>
          this.show(
            kind === 'error' ? MessageType.Error : kind === 'warning' ? MessageType.Warning : MessageType.Info,
            m,
          ),
      },
      this.env,
    );
    session.onConnected = () => void this.connected();
    this.session = session;
    void session.connect();
  }

  private async connected(): Promise<void> {
    await this.link();
    await this.refreshThreads();
    this.startThreadsPoll();
    this.startNotifications();
    const client = this.session?.client;
    if (client) {
      try {
        this.canRefactor = (await client.ai.capabilities()).actions.includes('refactor');
      } catch {
        this.canRefactor = false;
      }
    }
  }

  // Linking: the project whose repository is the working copy's remote (or the one the settings name).
  private async link(): Promise<void> {
    const client = this.session?.client;
    if (!client) return;
    const start = this.root ?? this.firstOpenDir();
    this.top = start ? await gitTop(start) : undefined;
    if (!this.top) return;
    try {
      const { projects } = await client.projects.list();
      let matches: Project[];
      if (this.settings.project) {
        matches = projects.filter((p) => p.id === this.settings.project || p.name === this.settings.project);
      } else {
        matches = projectsForRemotes(projects, await gitRemotes(this.top));
      }
      if (matches.length === 1) {
        this.project = matches[0]!;
        this.log(`linked ${this.top} to ${this.project.name}`);
        return;
      }
      if (!this.linkProblemShown) {
        this.linkProblemShown = true;
        this.show(
          MessageType.Info,
          matches.length === 0
            ? `HiveSync: no project of yours has ${this.top}'s git remote as its repository${this.settings.project ? ` or is named ${this.settings.project}` : ''}; set the "project" setting or create one (hivesync projects create).`
            : `HiveSync: several projects have this repository (${matches.map((p) => p.name).join(', ')}); set the "project" setting.`,
        );
      }
    } catch (err) {
      this.failed(err, 'linking the project');
    }
  }

  private firstOpenDir(): string | undefined {
    const doc = this.documents.all().find((d) => d.uri.startsWith('file:'));
    return doc ? path.dirname(fileURLToPath(doc.uri)) : undefined;
  }

  /** The project path of a document, or undefined when it is not a file of the linked working copy. */
  private repoPath(uri: string): string | undefined {
    if (!this.top || !this.project || !uri.startsWith('file:')) return undefined;
    let file: string;
    try {
      file = fileURLToPath(uri);
    } catch {
      return undefined;
    }
    const rel = path.relative(this.top, file);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
    return rel.split(path.sep).join('/');
  }

  private uriOf(repoPath: string): string {
    return pathToFileURL(path.join(this.top!, ...repoPath.split('/'))).toString();
  }

  private async opened(doc: TextDocument): Promise<void> {
    if (!this.top && this.session?.client) {
      await this.link();
      if (this.project) return this.refreshThreads();
    }
    if (!this.repoPath(doc.uri)) return;
    if (this.threadsLoaded) this.publish(doc);
    else await this.refreshThreads();
  }

  // Threads as diagnostics.

  private startThreadsPoll(): void {
    clearInterval(this.pollTimer);
    this.pollTimer = setInterval(() => void this.refreshThreads(), this.settings.threadsPollSeconds * 1000);
    this.pollTimer.unref?.();
  }

  private refreshing: Promise<void> | undefined;

  /** Reads the project's threads (placed at the checked-out commit) and publishes them for the open files. */
  refreshThreads(): Promise<void> {
    this.refreshing ??= this.loadThreads().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async loadThreads(): Promise<void> {
    const client = this.session?.client;
    const project = this.project;
    // Only while a file of the project is open: a file outside it never causes a request.
    if (!client || !project || !this.documents.all().some((d) => this.repoPath(d.uri))) return;
    const head = this.top ? await gitHead(this.top) : undefined;
    try {
      let list: Thread[];
      try {
        list = (await client.threads.list(project.id, { state: 'all', ...(head && { commit: head }) })).threads;
      } catch (err) {
        // A commit the mirror has not seen (not pushed, or not synced yet): place them at the mirror's.
        if (!head || !isHiveSyncError(err) || ![400, 404, 409].includes(err.status)) throw err;
        list = (await client.threads.list(project.id, { state: 'all' })).threads;
      }
      this.threads = list;
      this.threadsLoaded = true;
    } catch (err) {
      this.failed(err, 'reading the threads');
      return;
    }
    for (const doc of this.documents.all()) this.publish(doc);
  }

  private publish(doc: TextDocument): void {
    const file = this.repoPath(doc.uri);
    if (!file) return;
    const diagnostics = this.threads.filter((t) => threadPath(t) === file).map((t) => this.diagnostic(t, doc));
    if (diagnostics.length === 0 && !this.published.has(doc.uri)) return;
    if (diagnostics.length > 0) this.published.add(doc.uri);
    else this.published.delete(doc.uri);
    void this.connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
  }

  private diagnostic(thread: Thread, doc: TextDocument): Diagnostic {
    return {
      range: this.threadRange(thread, doc),
      severity: thread.state === 'resolved' ? DiagnosticSeverity.Hint : DiagnosticSeverity.Information,
      source: SOURCE,
      code: thread.thread_id,
      message: threadMessage(thread),
      data: { thread_id: thread.thread_id },
    };
  }

  private threadRange(thread: Thread, doc?: TextDocument): Range {
    const { start, end } = threadLines(thread);
    if (!doc) return { start: { line: start, character: 0 }, end: { line: end, character: 0 } };
    const last = Math.max(0, doc.lineCount - 1);
    const s = Math.min(start, last);
    const e = Math.min(end, last);
    const endText = doc.getText({ start: { line: e, character: 0 }, end: { line: e + 1, character: 0 } });
    return { start: { line: s, character: 0 }, end: { line: e, character: endText.replace(/\r?\n$/, '').length } };
  }

  // Code actions.

  private codeActions(params: CodeActionParams): CodeAction[] {
    const uri = params.textDocument.uri;
    const file = this.repoPath(uri);
    const doc = this.documents.get(uri);
    if (!file || !doc || !this.session?.client) return [];
    const actions: CodeAction[] = [];
    const { start, end } = params.range;
    const here = this.threads.filter((t) => {
      if (threadPath(t) !== file) return false;
      const lines = threadLines(t);
      return lines.start <= end.line && lines.end >= start.line;
    });
    for (const t of here) {
      const about = shortText(t);
      const diagnostics = params.context.diagnostics.filter((d) => d.source === SOURCE && d.code === t.thread_id);
      const asks = this.settings.textActions;
      actions.push(
        ...(asks
          ? [
              {
                title: `HiveSync: Reply to "${about}"`,
                kind: CodeActionKind.QuickFix,
                diagnostics,
                command: { title: 'Reply', command: COMMANDS.reply, arguments: [t.thread_id] },
              },
            ]
          : []),
        ...(t.state === 'open'
          ? [
              {
                title: `HiveSync: Resolve "${about}"`,
                kind: CodeActionKind.QuickFix,
                diagnostics,
                command: { title: 'Resolve', command: COMMANDS.resolve, arguments: [t.thread_id] },
              },
            ]
          : []),
        {
          title: `HiveSync: Open "${about}" in browser`,
          kind: CodeActionKind.QuickFix,
          diagnostics,
          command: { title: 'Open in browser', command: COMMANDS.openInBrowser, arguments: [t.thread_id] },
        },
      );
    }
    if (supportsLanguage(doc.languageId)) {
      const site = functionAt(doc.getText(), doc.languageId, start.line);
      if (site) {
        actions.push({
          title: `HiveSync: Document this function (${site.name})`,
          kind: CodeActionKind.RefactorRewrite,
          command: { title: 'Document this function', command: COMMANDS.document, arguments: [uri, site.line] },
        });
      }
    }
    // The rest carry their command without its text, for the editor to ask (unless it cannot: textActions).
    if (!this.settings.textActions) return actions;
    const word = wordAt(doc, start);
    if (word) {
      actions.push({
        title: `HiveSync: Rename "${word.text}" across project`,
        kind: CodeActionKind.RefactorRewrite,
        command: { title: 'Rename across project', command: COMMANDS.rename, arguments: [uri, start] },
      });
    }
    const selected = start.line !== end.line || start.character !== end.character;
    if (selected && this.canRefactor) {
      actions.push({
        title: 'HiveSync: Refactor selection',
        kind: CodeActionKind.RefactorRewrite,
        command: { title: 'Refactor selection', command: COMMANDS.refactor, arguments: [uri, params.range] },
      });
    }
    actions.push({
      title: 'HiveSync: Start a thread on these lines',
      kind: CodeActionKind.Source,
      command: { title: 'Start a thread', command: COMMANDS.createThread, arguments: [uri, params.range] },
    });
    return actions;
  }

  // Commands.

  private async execute(command: string, args: unknown[], token: Progress): Promise<unknown> {
    return this.handle(async () => {
      switch (command) {
        case COMMANDS.status:
          return this.status();
        case COMMANDS.sync:
          return this.sync(token);
        case COMMANDS.search:
          return this.search(str(args[0], 'a search query'));
        case COMMANDS.threads:
          return this.threadItems(typeof args[0] === 'string' ? args[0] : undefined);
        case COMMANDS.createThread:
          return this.createThread(str(args[0], 'a document uri'), range(args[1]), str(args[2], 'the comment text'));
        case COMMANDS.reply:
          return this.reply(str(args[0], 'a thread id'), str(args[1], 'the reply text'));
        case COMMANDS.resolve:
          return this.resolve(str(args[0], 'a thread id'));
        case COMMANDS.openInBrowser:
          return this.openInBrowser(str(args[0], 'a thread id'));
        case COMMANDS.document:
          return this.document(str(args[0], 'a document uri'), int(args[1], 'a line'), token);
        case COMMANDS.rename: {
          const uri = str(args[0], 'a document uri');
          const at = position(args[1]);
          const edit = await this.renameEdit(uri, at, str(args[2], 'the new name'), token);
          return edit ? this.applySuggestion(edit.suggestion, edit.edit) : { applied: false };
        }
        case COMMANDS.refactor:
          return this.refactor(str(args[0], 'a document uri'), range(args[1]), str(args[2], 'instructions'), token);
        case COMMANDS.sendPreview:
          return this.sendPreview(
            typeof args[0] === 'string' && args[0] !== '' ? args[0] : this.settings.previewDirectory,
            args[1] === 'ios' || args[1] === 'android' || args[1] === 'web' ? args[1] : this.settings.previewPlatform,
            token,
          );
        default:
          throw new UserError(`unknown command ${command}`);
      }
    });
  }

  private status(): Status {
    return {
      server: this.session?.server ?? this.settings.serverUrl,
      connected: this.session?.client !== undefined,
      user: this.session?.user?.email ?? null,
      project: this.project?.name ?? null,
      route: this.session?.client ? (this.session.route ?? null) : null,
      top: this.top ?? null,
    };
  }

  /** The client and project for a command, or a UserError saying what is missing. */
  private need() {
    const client = this.session?.client;
    if (!client) {
      throw new UserError(
        `not connected to ${this.settings.serverUrl}: run \`hivesync login\` (or start \`hivesync agent\`), and check that the server runs`,
      );
    }
    if (!this.project || !this.top) throw new UserError('this folder is not linked to a HiveSync project');
    return { client, project: this.project, top: this.top };
  }

  private needFile(uri: string) {
    const ctx = this.need();
    const file = this.repoPath(uri);
    if (!file) throw new UserError(`${uri} is not a file of the linked project's working copy`);
    return { ...ctx, file };
  }

  private async sync(token: Progress) {
    const { client, project } = this.need();
    return this.withProgress(`HiveSync: syncing ${project.name}`, token, async (report) => {
      const started = await client.repo.sync(project.id);
      report(syncStageText(started));
      const done = await client.repo.waitForSync(started.sync_id, { onProgress: (s) => report(syncStageText(s)) });
      if (done.status === 'failed') throw new UserError(`the sync of ${project.name} failed. ${syncErrorText(done)}`);
      this.log(`synced ${project.name} at ${done.commit ?? '?'}`);
      void this.refreshThreads();
      return done;
    });
  }

  private async search(input: string): Promise<SearchLocation[]> {
    const { client, project } = this.need();
    const parsed = parseSearchInput(input);
    if (!parsed) throw new UserError('type something to search for');
    const result = await client.repo.search(project.id, parsed.q, {
      regex: parsed.regex,
      ignore_case: parsed.ignore_case,
      ...(parsed.path !== undefined && { path: parsed.path }),
      limit: 200,
    });
    return result.matches.map((m) => {
      const [from, to] = m.ranges?.[0] ?? [Math.max(0, m.column - 1), Math.max(0, m.column - 1)];
      return {
        uri: this.uriOf(m.path),
        path: m.path,
        text: m.text,
        range: { start: { line: m.line - 1, character: from }, end: { line: m.line - 1, character: to } },
      };
    });
  }

  private async workspaceSymbols(query: string): Promise<SymbolInformation[]> {
    const q = query.trim();
    if (!q || !/^[\w$]+$/.test(q) || !this.session?.client || !this.project) return [];
    const { client, project } = this.need();
    const name = `${q}[\\w$]*`;
    const pattern = [
      `(function\\*?|class|def|func|interface|type|enum)\\s+${name}`,
      `func\\s+\\([^)]*\\)\\s*${name}`,
      `(const|let|var)\\s+${name}\\s*=`,
      `\\.${name}\\s*=\\s*(async\\s+)?function`,
    ].join('|');
    const result = await client.repo.search(project.id, pattern, { regex: true, limit: 100 });
    const symbols: SymbolInformation[] = [];
    for (const m of result.matches) {
      const found = new RegExp(
        `(?:(function\\*?|class|def|func|interface|type|enum|const|let|var)\\s+|\\.|\\)\\s*)(${q}[\\w$]*)`,
      ).exec(m.text);
      if (!found) continue;
      const kw = found[1] ?? '';
      const kind =
        kw === 'class'
          ? SymbolKind.Class
          : kw === 'interface'
            ? SymbolKind.Interface
            : kw === 'enum'
              ? SymbolKind.Enum
              : kw === 'const' || kw === 'let' || kw === 'var'
                ? SymbolKind.Variable
                : SymbolKind.Function;
      const at = found.index + found[0].length - found[2]!.length;
      symbols.push({
        name: found[2]!,
        kind,
        location: {
          uri: this.uriOf(m.path),
          range: {
            start: { line: m.line - 1, character: at },
            end: { line: m.line - 1, character: at + found[2]!.length },
          },
        },
        containerName: m.path,
      });
    }
    return symbols;
  }

  private threadItems(uri: string | undefined): ThreadItem[] {
    this.need();
    const file = uri ? this.repoPath(uri) : undefined;
    return this.threads
      .filter((t) => file === undefined || threadPath(t) === file)
      .map((t) => {
        const p = threadPath(t);
        const doc = this.documents.get(this.uriOf(p));
        return {
          thread_id: t.thread_id,
          uri: this.uriOf(p),
          path: p,
          range: this.threadRange(t, doc),
          state: t.state,
          text: threadMessage(t),
        };
      });
  }

  private async createThread(uri: string, at: Range, body: string): Promise<{ thread_id: string }> {
    const { client, project, top, file } = this.needFile(uri);
    if (!body.trim()) throw new UserError('the comment is empty');
    const head = await gitHead(top);
    const end = at.end.character === 0 && at.end.line > at.start.line ? at.end.line - 1 : at.end.line;
    const payload = { path: file, start_line: at.start.line + 1, end_line: Math.max(at.start.line, end) + 1, body };
    let thread: Thread;
    try {
      thread = await client.threads.create(project.id, { ...payload, ...(head && { commit: head }) });
    } catch (err) {
      if (!head || !isHiveSyncError(err) || ![400, 404, 409].includes(err.status)) throw err;
      thread = await client.threads.create(project.id, payload);
    }
    await this.refreshThreads();
    return { thread_id: thread.thread_id };
  }

  private async reply(threadId: string, body: string): Promise<{ comments: number }> {
    const { client } = this.need();
    if (!body.trim()) throw new UserError('the reply is empty');
    const thread = await client.threads.reply(threadId, body);
    await this.refreshThreads();
    return { comments: thread.comment_count };
  }

  private async resolve(threadId: string): Promise<{ state: string }> {
    const { client } = this.need();
    const thread = await client.threads.resolve(threadId);
    await this.refreshThreads();
    return { state: thread.state };
  }

  private async openInBrowser(threadId: string): Promise<{ url: string }> {
    const { client, project } = this.need();
    const url = `${client.baseUrl}/projects/${encodeURIComponent(project.id)}/threads/${encodeURIComponent(threadId)}`;
    try {
      await this.connection.window.showDocument({ uri: url, external: true });
    } catch {
      // An editor without window/showDocument: the URL is in the answer.
    }
    return { url };
  }

  // AI: each job runs with work-done progress; its suggestion comes back as a WorkspaceEdit.

  private async document(uri: string, line: number, token: Progress) {
    const { project, file } = this.needFile(uri);
    const doc = this.documents.get(uri);
    const site = doc ? functionAt(doc.getText(), doc.languageId, line) : undefined;
    const declLine = (site?.line ?? line) + 1;
    const suggestion = await this.runJob(
      {
        project_id: project.id,
        action: 'document_function',
        path: file,
        range: { start_line: declLine, end_line: declLine },
      },
      site ? `HiveSync: documenting ${site.name}` : 'HiveSync: documenting the function',
      token,
    );
    if (!suggestion) return { applied: false };
    return this.applySuggestion(suggestion, await this.editFor(suggestion));
  }

  private async refactor(uri: string, at: Range, instructions: string, token: Progress) {
    const { project, file } = this.needFile(uri);
    if (!this.canRefactor) {
      throw new UserError("this server's AI provider cannot refactor; a language-model provider is needed");
    }
    const from = at.start.line + 1;
    const to = at.end.line + 1;
    const suggestion = await this.runJob(
      {
        project_id: project.id,
        action: 'refactor',
        path: file,
        range: { start_line: from, end_line: to },
        instructions: `In lines ${from} to ${to} of ${file}: ${instructions}`,
      },
      'HiveSync: refactoring the selection',
      token,
    );
    if (!suggestion) return { applied: false };
    return this.applySuggestion(suggestion, await this.editFor(suggestion));
  }

  private prepareRename(uri: string, at: Position): Range | null {
    if (!this.repoPath(uri) || !this.session?.client) return null;
    const doc = this.documents.get(uri);
    const word = doc && wordAt(doc, at);
    return word ? word.range : null;
  }

  private async rename(uri: string, at: Position, newName: string, token: Progress) {
    const result = await this.renameEdit(uri, at, newName, token);
    if (!result) return null;
    // The editor applies the answer of textDocument/rename itself: the suggestion is reported applied with it.
    await this.markApplied(result.suggestion);
    return result.edit;
  }

  private async renameEdit(uri: string, at: Position, newName: string, token: Progress) {
    const { project, file } = this.needFile(uri);
    const doc = this.documents.get(uri);
    const word = doc && wordAt(doc, at);
    if (!word) throw new UserError('put the cursor on the name to rename');
    if (!isIdentifier(newName)) throw new UserError(`${newName} is not a valid identifier`);
    if (newName === word.text) throw new UserError('the new name is the same as the old one');
    const line = at.line + 1;
    const suggestion = await this.runJob(
      {
        project_id: project.id,
        action: 'rename_symbol',
        path: file,
        symbol: word.text,
        new_name: newName,
        range: { start_line: line, end_line: line },
      },
      `HiveSync: renaming ${word.text} to ${newName}`,
      token,
    );
    if (!suggestion) return undefined;
    return { suggestion, edit: await this.editFor(suggestion) };
  }

  /** Queues a job and follows it with work-done progress; its first suggestion, or undefined when none. */
  private async runJob(body: CreateAiJobBody, title: string, token: Progress): Promise<Suggestion | undefined> {
    const { client } = this.need();
    const job: AiJob = await this.withProgress(title, token, async (report) => {
      const created = await client.ai.create(body);
      this.ownJobs.add(created.job_id);
      report('queued');
      return client.ai.waitForJob(created.job_id, { onProgress: (j) => report(j.status) });
    });
    if (job.status === 'failed') {
      throw new UserError(`the AI job failed: ${job.error?.message ?? ''} (${job.error?.code ?? 'error'})`);
    }
    const suggestion = job.suggestions[0];
    if (!suggestion) {
      this.show(MessageType.Info, `HiveSync: nothing to suggest. ${job.message ?? ''}`.trim());
      return undefined;
    }
    return suggestion;
  }

  /** The WorkspaceEdit of a suggestion's patch against the files as the editor has them now. */
  private editFor(suggestion: Suggestion): Promise<WorkspaceEdit> {
    return patchToWorkspaceEdit(
      suggestion.patch,
      (p) => this.uriOf(p),
      (p) => this.readFile(p),
    );
  }

  private async readFile(repoPath: string): Promise<FileText> {
    const uri = this.uriOf(repoPath);
    const open = this.documents.get(uri);
    if (open) return { text: open.getText(), version: open.version };
    try {
      return { text: await fs.readFile(fileURLToPath(uri), 'utf8'), version: null };
    } catch {
      return { text: null, version: null };
    }
  }

  /** Asks the editor to apply a suggestion's edit (its own undo reverts it); once applied, marks it applied. */
  private async applySuggestion(suggestion: Suggestion, edit: WorkspaceEdit) {
    const result = await this.connection.workspace.applyEdit({ label: `HiveSync: ${suggestion.description}`, edit });
    if (!result.applied) {
      this.show(
        MessageType.Warning,
        `HiveSync: the editor did not apply the suggestion${result.failureReason ? ` (${result.failureReason})` : ''}; it stays open for review in the web app.`,
      );
      return { suggestion_id: suggestion.id, applied: false };
    }
    await this.markApplied(suggestion);
    return { suggestion_id: suggestion.id, applied: true, files: suggestion.files };
  }

  private async markApplied(suggestion: Suggestion): Promise<void> {
    const { client } = this.need();
    if (suggestion.state === 'proposed') await client.ai.approve(suggestion.id, { comment: 'applied from the editor' });
    await client.ai.markApplied(suggestion.id);
    this.log(`suggestion ${suggestion.id} applied (${suggestion.files.join(', ')})`);
  }

  // Previews.

  private async sendPreview(directory: string, platform: 'web' | 'ios' | 'android', token: Progress) {
    const { client, project, top } = this.need();
    const dir = path.resolve(top, directory);
    const rel = path.relative(top, dir);
    if (rel.startsWith('..') || path.isAbsolute(rel))
      throw new UserError('the preview folder must be inside the working copy');
    return this.withProgress('HiveSync: sending a preview', token, async (report) => {
      report(`building ${rel || '.'} for ${platform}`);
      const { buildBundle } = await import('@hivesync/bundler');
      const bundle = await buildBundle({ dir, platform });
      report('creating the preview');
      const created = await client.previews.create({
        project_id: project.id,
        platform,
        sha256: bundle.sha256,
        size: bundle.size,
      });
      if (created.upload_required) {
        report(`uploading ${Math.ceil(bundle.size / 1024)} KB`);
        await client.previews.upload(created, bundle.bytes);
      }
      const ready = await client.previews.complete(created.preview_id, { sha256: bundle.sha256, size: bundle.size });
      const url = `${client.baseUrl}/p/${encodeURIComponent(created.code)}`;
      this.show(
        MessageType.Info,
        `HiveSync: preview code ${created.code} (open ${url} on the device; expires ${ready.expires_at}).`,
      );
      return { code: created.code, url, expires_at: ready.expires_at };
    });
  }

  // Notifications: the event stream, each shown with its buttons as window/showMessageRequest.

  private startNotifications(): void {
    this.events?.abort();
    const client = this.session?.client;
    if (!client || !this.settings.notifications) return;
    const controller = new AbortController();
    this.events = controller;
    const onNotification = (n: Notification) => {
      void this.notify(n);
    };
    void client.events
      .stream({
        signal: controller.signal,
        onNotification,
        onRetry: (err, s) => this.log(`events: ${err.code}, again in ${s} s`),
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        // The stream is refused (too many open, or no stream here): fall back to the conditional poll.
        this.log(`event stream ended (${isHiveSyncError(err) ? err.code : String(err)}); polling instead`);
        return client.notifications.watch({
          signal: controller.signal,
          steps: false,
          onNotifications: (batch) => {
            for (const n of batch) void this.notify(n);
          },
        });
      })
      .catch((err: unknown) => this.failed(err, 'notifications'));
  }

  private async notify(n: Notification): Promise<void> {
    if (n.type.startsWith('thread_')) void this.refreshThreads();
    const jobId = (n.payload as Record<string, unknown>).job_id;
    if (typeof jobId === 'string' && this.ownJobs.has(jobId)) return;
    const shown = describeNotification(n);
    if (!shown) return;
    const show =
      shown.severity === 'error'
        ? this.connection.window.showErrorMessage.bind(this.connection.window)
        : shown.severity === 'warning'
          ? this.connection.window.showWarningMessage.bind(this.connection.window)
          : this.connection.window.showInformationMessage.bind(this.connection.window);
    const choice = await show(`HiveSync: ${shown.message}`, ...shown.actions.map((a) => ({ title: a.title }))).catch(
      () => undefined,
    );
    const action = shown.actions.find((a) => a.title === choice?.title);
    if (action) await this.act(action).catch((err: unknown) => this.failed(err, action.title));
    try {
      await this.session?.client?.notifications.markRead({ notification_ids: [n.notification_id], scope: 'client' });
    } catch {
      // It stays unread; nothing else depends on it.
    }
  }

  private async act(action: NotificationAction): Promise<void> {
    const client = this.session?.client;
    if (!client) return;
    if (action.kind === 'thread') {
      const thread = await client.threads.get(action.threadId);
      const uri = this.uriOf(threadPath(thread));
      const { start } = threadLines(thread);
      await this.connection.window.showDocument({
        uri,
        takeFocus: true,
        selection: { start: { line: start, character: 0 }, end: { line: start, character: 0 } },
      });
    } else if (action.kind === 'job') {
      const job = await client.ai.get(action.jobId);
      const suggestion = job.suggestions[0];
      if (suggestion && (suggestion.state === 'proposed' || suggestion.state === 'approved'))
        await this.applySuggestion(suggestion, await this.editFor(suggestion));
    } else if (action.kind === 'sync' && this.project) {
      const { syncs } = await client.repo.listSyncs(this.project.id, { limit: 1 });
      if (syncs[0]) this.show(MessageType.Error, `HiveSync: ${syncErrorText(syncs[0])}`);
    }
  }

  // Plumbing.

  private async withProgress<T>(
    title: string,
    token: Progress,
    fn: (report: (message: string) => void) => Promise<T>,
  ): Promise<T> {
    let reporter: WorkDoneProgressReporter | undefined;
    if (token !== undefined && !WorkDoneProgressReporter.isNullInstance(token)) reporter = token;
    else if (this.workDoneSupported) {
      try {
        reporter = await this.connection.window.createWorkDoneProgress();
      } catch {
        reporter = undefined;
      }
    }
    reporter?.begin(title, undefined, undefined, false);
    try {
      return await fn((message) => reporter?.report(message));
    } finally {
      reporter?.done();
    }
  }

  /** Runs a request handler: a failure is shown once and answered as a ResponseError (never a crash). */
  private async handle<T>(fn: () => Promise<T> | T): Promise<T | ResponseError<void>> {
    try {
      return await fn();
    } catch (err) {
      const message = this.describe(err);
      this.show(MessageType.Error, `HiveSync: ${message}`);
      this.session?.failed(err);
      return new ResponseError(-32803, message);
    }
  }

  /** Runs a handler whose failure is logged only (code actions, symbols): the editor asks for these on its own. */
  private async guard<T>(fallback: T, fn: () => Promise<T> | T): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      this.failed(err, 'request');
      return fallback;
    }
  }

  private describe(err: unknown): string {
    if (err instanceof UserError || err instanceof PatchConflict) return err.message;
    if (isHiveSyncError(err)) {
      if (isUnreachable(err)) return `cannot reach ${this.settings.serverUrl} (${err.message})`;
      return `${err.message} (${err.code})`;
    }
    return err instanceof Error ? err.message : String(err);
  }

  private failed(err: unknown, what: string): void {
    this.log(`${what}: ${this.describe(err)}`);
    this.session?.failed(err);
  }

  private log(message: string): void {
    this.connection.console.log(message);
  }

  private show(type: MessageType, message: string): void {
    void this.connection.sendNotification('window/showMessage', { type, message });
  }

  dispose(): void {
    clearInterval(this.pollTimer);
    this.events?.abort();
    this.session?.dispose();
  }
}

/** A thread's diagnostic text: who wrote it, its first comment as plain text, how many replies, outdated or not. */
export function threadMessage(thread: Thread): string {
  const first = thread.first_comment ?? thread.comments?.[0];
  const author = first?.author_name ?? 'Someone';
  const text = plainText(first?.deleted ? '(deleted)' : (first?.body ?? ''));
  const replies = Math.max(0, thread.comment_count - 1);
  const parts = [`${author}: ${text}`, `${replies} repl${replies === 1 ? 'y' : 'ies'}`];
  if (thread.state === 'resolved') parts.push('resolved');
  if (thread.position.status === 'outdated') parts.push('outdated: its code is gone');
  else if (thread.position.status === 'edited') parts.push('the code changed since');
  return parts.join(' · ');
}

function shortText(thread: Thread): string {
  const text = plainText(thread.first_comment?.body ?? thread.comments?.[0]?.body ?? '');
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

function wordAt(doc: TextDocument, at: Position): { text: string; range: Range } | undefined {
  const line = doc.getText({ start: { line: at.line, character: 0 }, end: { line: at.line + 1, character: 0 } });
  const re = /[A-Za-z_$][\w$]*/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    if (m.index <= at.character && at.character <= m.index + m[0].length) {
      return {
        text: m[0],
        range: {
          start: { line: at.line, character: m.index },
          end: { line: at.line, character: m.index + m[0].length },
        },
      };
    }
  }
  return undefined;
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new UserError(`expected ${what}`);
  return v;
}

function int(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new UserError(`expected ${what}`);
  return v;
}

function position(v: unknown): Position {
  const p = v as Position;
  if (!p || typeof p !== 'object') throw new UserError('expected a position');
  return { line: int(p.line, 'a line'), character: int(p.character, 'a character') };
}

function range(v: unknown): Range {
  const r = v as Range;
  if (!r || typeof r !== 'object') throw new UserError('expected a range');
  return { start: position(r.start), end: position(r.end) };
}
