import {
  isHiveSyncError,
  type AgentApi,
  type AiCapabilities,
  type AiJob,
  type ApplyConflictDetails,
  type ApplyConflictFile,
  type ApplySuggestionResult,
  type CreateAiJobBody,
  type Suggestion,
} from '@hivesync/sdk';
import * as vscode from 'vscode';
import { agentUnavailable, errorText, isCancelled } from '../common/errors.js';
import {
  applyFilePatch,
  findFunctions,
  functionAt,
  isIdentifier,
  parsePatch,
  patchPath,
  supportsLanguage,
  type FilePatch,
} from '@hivesync/editor';
import type { Session } from '../services/session.js';
import type { WorkspaceLink } from '../services/workspace-link.js';
import { SCHEMES, setting, SETTINGS } from '../settings.js';

const ACTION_TITLES: Record<string, string> = {
  document_function: 'Documenting the function',
  rename_symbol: 'Renaming across the project',
  refactor: 'Refactoring the selection',
};

interface OpenSuggestion {
  suggestion: Suggestion;
  job: AiJob;
  files: FilePatch[];
  before: Map<string, string>;
  after: Map<string, string>;
}

/**
 * AI from the editor: document a function, rename a symbol across the project, refactor a selection (when the
 * server's provider can). A job's suggestion opens in a diff editor over two virtual documents per file (the job's
 * commit, and that with the patch applied); Approve and Reject move it on the server; Apply edits the local files
 * through one WorkspaceEdit built from the same patch, or refuses, changing nothing, when a file has moved on.
 */
export class AiController implements vscode.Disposable, vscode.TextDocumentContentProvider, vscode.CodeLensProvider {
  private capabilities: AiCapabilities | undefined;
  /** Jobs this window started and follows itself: their notifications need no toast. */
  readonly ownJobs = new Set<string>();
  private readonly open = new Map<string, OpenSuggestion>();
  /** The two sides of a conflict the agent reported, by virtual document path. */
  private readonly conflictDocs = new Map<string, string>();
  private pending: Suggestion[] = [];
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensesChanged.event;
  private readonly docsChanged = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.docsChanged.event;

  constructor(
    private readonly session: Session,
    private readonly link: WorkspaceLink,
  ) {}

  /** Reads what the server's provider can do and the open suggestions (for hints in the editor). */
  async refresh(): Promise<void> {
    const project = this.link.project;
    if (!project || !this.session.user) {
      this.pending = [];
      await vscode.commands.executeCommand('setContext', 'hivesync.canRefactor', false);
      this.lensesChanged.fire();
      return;
    }
    try {
      this.capabilities = await this.session.client.ai.capabilities();
      await vscode.commands.executeCommand(
        'setContext',
        'hivesync.canRefactor',
        this.capabilities.actions.includes('refactor'),
      );
    } catch (err) {
      this.session.log.warn(`AI capabilities: ${errorText(err)}`);
    }
    try {
      const [proposed, approved] = await Promise.all([
        this.session.client.ai.suggestions(project.id, { state: 'proposed' }),
        this.session.client.ai.suggestions(project.id, { state: 'approved' }),
      ]);
      this.pending = [...proposed.suggestions, ...approved.suggestions];
    } catch (err) {
      this.session.log.warn(`AI suggestions: ${errorText(err)}`);
    }
    this.lensesChanged.fire();
  }

  // CodeLens: "Document" above each function, and the open suggestions touching this file.
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!setting(SETTINGS.codeLens, true)) return [];
    const path = this.link.repoPath(document.uri);
    if (!path) return [];
    const lenses: vscode.CodeLens[] = [];
    for (const s of this.pending.filter((p) => p.files.includes(path))) {
      lenses.push(
        new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), {
          title: `$(lightbulb) AI suggestion (${s.state}): ${s.description}`,
          command: 'hivesync.suggestion.open',
          arguments: [s.id],
        }),
      );
    }
    if (supportsLanguage(document.languageId)) {
      for (const site of findFunctions(document.getText(), document.languageId)) {
        lenses.push(
          new vscode.CodeLens(new vscode.Range(site.line, 0, site.line, 0), {
            title: 'HiveSync: Document',
            tooltip: `Ask HiveSync to document ${site.name}`,
            command: 'hivesync.documentFunction',
            arguments: [document.uri, site.line],
          }),
        );
      }
    }
    return lenses;
  }

  /** "Document This Function": the function at the cursor (or at `line` from a CodeLens). */
  async documentFunction(uri?: vscode.Uri, line?: number): Promise<void> {
    const target = await this.target(uri);
    if (!target) return;
    const { document, path, project } = target;
    const at = line ?? vscode.window.activeTextEditor?.selection.active.line ?? 0;
    const site = functionAt(document.getText(), document.languageId, at);
    const declLine = (site?.line ?? at) + 1;
    await this.run(
      {
        project_id: project.id,
        action: 'document_function',
        path,
        range: { start_line: declLine, end_line: declLine },
      },
      site ? `Documenting ${site.name}` : ACTION_TITLES.document_function!,
    );
  }

  /** "Rename Symbol Across Project": the word at the cursor, to a name the user types. */
  async renameSymbol(): Promise<void> {
    const target = await this.target();
    const editor = vscode.window.activeTextEditor;
    if (!target || !editor) return;
    const range = editor.document.getWordRangeAtPosition(editor.selection.active, /[A-Za-z_$][\w$]*/);
    if (!range) {
      void vscode.window.showWarningMessage('HiveSync: put the cursor on the name to rename.');
      return;
    }
    const symbol = editor.document.getText(range);
    const newName = await vscode.window.showInputBox({
      title: `Rename ${symbol} across the project`,
      value: symbol,
      validateInput: (v) =>
        isIdentifier(v) ? (v === symbol ? 'Type the new name.' : undefined) : 'Not a valid identifier.',
    });
    if (!newName) return;
    const line = range.start.line + 1;
    await this.run(
      {
        project_id: target.project.id,
        action: 'rename_symbol',
        path: target.path,
        symbol,
        new_name: newName,
        range: { start_line: line, end_line: line },
      },
      `Renaming ${symbol} to ${newName}`,
    );
  }

  /** "Refactor Selection": instructions for the selected lines (only when the provider is a language model). */
  async refactorSelection(): Promise<void> {
    const target = await this.target();
    const editor = vscode.window.activeTextEditor;
    if (!target || !editor) return;
    if (this.capabilities && !this.capabilities.actions.includes('refactor')) {
      void vscode.window.showWarningMessage(
        `HiveSync: this server's AI provider (${this.capabilities.provider}) cannot refactor; a language-model provider is needed.`,
      );
      return;
    }
    const sel = editor.selection;
    const instructions = await vscode.window.showInputBox({
      title: 'Refactor the selection',
      prompt: `What should change in lines ${sel.start.line + 1}–${sel.end.line + 1}?`,
    });
    if (!instructions) return;
    await this.run(
      {
        project_id: target.project.id,
        action: 'refactor',
        path: target.path,
        range: { start_line: sel.start.line + 1, end_line: sel.end.line + 1 },
        instructions: `In lines ${sel.start.line + 1} to ${sel.end.line + 1} of ${target.path}: ${instructions}`,
      },
      ACTION_TITLES.refactor!,
    );
  }

  private async target(uri?: vscode.Uri) {
    const project = this.link.require();
    if (!project) return undefined;
    const document = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
    const path = document && this.link.repoPath(document.uri);
    if (!document || !path) {
      void vscode.window.showWarningMessage("HiveSync: open a file of the linked project's working copy first.");
      return undefined;
    }
    if (document.isDirty) {
      void vscode.window.showInformationMessage(
        'HiveSync works on the synced commit: unsaved changes are not part of the suggestion.',
      );
    }
    return { project, document, path };
  }

  /** Queues a job and follows it in a notification with Cancel; opens its suggestion when it has one. */
  private async run(body: CreateAiJobBody, title: string): Promise<void> {
    const client = this.session.client;
    const job = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `HiveSync: ${title}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        let jobId: string | undefined;
        try {
          const created = await client.ai.create(body, { signal: controller.signal });
          jobId = created.job_id;
          this.ownJobs.add(jobId);
          progress.report({ message: 'queued…' });
          return await client.ai.waitForJob(created.job_id, {
            signal: controller.signal,
            onProgress: (j) => progress.report({ message: `${j.status}…` }),
          });
        } catch (err) {
          // Not followed here any more: its outcome comes as a notification.
          if (jobId !== undefined) this.ownJobs.delete(jobId);
          if (isCancelled(err) || controller.signal.aborted) {
            void vscode.window.showInformationMessage(
              'HiveSync: stopped waiting. The job keeps running on the server; a notification says when it is done.',
            );
          } else this.session.report(err, title.toLowerCase());
          return undefined;
        }
      },
    );
    if (!job) return;
    await this.showJob(job);
  }

  /** Shows a finished job: its error, its message, or its suggestion. */
  async showJob(job: AiJob): Promise<void> {
    if (job.status === 'failed') {
      void vscode.window.showErrorMessage(
        `HiveSync: the AI job failed. ${job.error?.message ?? ''} (${job.error?.code ?? 'error'})`,
      );
      return;
    }
    if (job.status !== 'completed') {
      void vscode.window.showInformationMessage(`HiveSync: the AI job is ${job.status}.`);
      return;
    }
    const suggestion = job.suggestions[0];
    if (!suggestion) {
      void vscode.window.showInformationMessage(`HiveSync: nothing to suggest. ${job.message ?? ''}`.trim());
      return;
    }
    await this.openSuggestion(suggestion, job);
  }

  /** Opens a job's suggestion by the job id (from a notification). */
  async openJob(jobId: string): Promise<void> {
    try {
      await this.showJob(await this.session.client.ai.get(jobId));
    } catch (err) {
      this.session.report(err, 'opening the AI job');
    }
  }

  /** Opens a suggestion by id (from a CodeLens or the palette). */
  async openSuggestionById(id?: string): Promise<void> {
    const suggestionId = id ?? (await this.pickSuggestion());
    if (!suggestionId) return;
    try {
      const suggestion = await this.session.client.ai.suggestion(suggestionId);
      const job = await this.session.client.ai.get(suggestion.job_id);
      await this.openSuggestion(suggestion, job);
    } catch (err) {
      this.session.report(err, 'opening the suggestion');
    }
  }

  private async pickSuggestion(): Promise<string | undefined> {
    await this.refresh();
    const picked = await vscode.window.showQuickPick(
      this.pending.map((s) => ({ label: s.description, description: `${s.state} · ${s.files.join(', ')}`, id: s.id })),
      { title: 'Open AI suggestion', placeHolder: this.pending.length ? undefined : 'No open suggestions' },
    );
    return picked?.id;
  }

  /** The diff editor of a suggestion (all its files), then the buttons for its state. */
  async openSuggestion(suggestion: Suggestion, job: AiJob): Promise<void> {
    const files = parsePatch(suggestion.patch);
    const before = new Map<string, string>();
    const after = new Map<string, string>();
    for (const file of files) {
      const path = patchPath(file);
      let original: string | null = null;
      if (file.oldPath !== null) {
        const res = await this.session.client.repo.file(job.project_id, file.oldPath, { commit: job.commit });
        original = res.encoding === 'utf8' ? res.content : Buffer.from(res.content, 'base64').toString('utf8');
      }
      const applied = applyFilePatch(original, file);
      before.set(path, original ?? '');
      after.set(path, applied.ok ? (applied.text ?? '') : (original ?? ''));
    }
    this.open.set(suggestion.id, { suggestion, job, files, before, after });
    const uri = (side: 'before' | 'after', path: string) =>
      vscode.Uri.from({ scheme: SCHEMES.suggestion, path: `/${suggestion.id}/${side}/${path}` });
    for (const path of before.keys()) {
      this.docsChanged.fire(uri('before', path));
      this.docsChanged.fire(uri('after', path));
    }
    await vscode.commands.executeCommand('setContext', 'hivesync.suggestionState', suggestion.state);
    const paths = [...before.keys()];
    const title = `HiveSync: ${suggestion.description}`;
    if (paths.length === 1) {
      await vscode.commands.executeCommand(
        'vscode.diff',
        uri('before', paths[0]!),
        uri('after', paths[0]!),
        `${title} (${paths[0]})`,
        {
          preview: false,
        },
      );
    } else {
      await vscode.commands.executeCommand(
        'vscode.changes',
        title,
        paths.map((p) => [this.link.localUri(p) ?? uri('after', p), uri('before', p), uri('after', p)]),
      );
    }
    this.offer(suggestion);
  }

  /** The buttons a suggestion's state allows, in a notification. */
  private offer(suggestion: Suggestion): void {
    const files = `${suggestion.files.length} file${suggestion.files.length === 1 ? '' : 's'}`;
    if (suggestion.state === 'proposed') {
      void vscode.window
        .showInformationMessage(`HiveSync suggestion: ${suggestion.description} (${files}).`, 'Approve', 'Reject')
        .then((choice) => {
          if (choice === 'Approve') void this.approve(suggestion.id);
          if (choice === 'Reject') void this.reject(suggestion.id);
        });
    } else if (suggestion.state === 'approved') {
      void vscode.window
        .showInformationMessage(
          `HiveSync suggestion approved: ${suggestion.description}. Apply it to your files?`,
          'Apply',
        )
        .then((choice) => {
          if (choice === 'Apply') void this.apply(suggestion.id);
        });
    } else {
      void vscode.window.showInformationMessage(
        `HiveSync suggestion (${suggestion.state}): ${suggestion.description}.`,
      );
    }
  }

  /** The suggestion the active diff editor shows, or the last one opened. */
  private current(id?: unknown): string | undefined {
    if (typeof id === 'string') return id;
    if (id instanceof vscode.Uri && id.scheme === SCHEMES.suggestion) return id.path.split('/')[1];
    const active = vscode.window.activeTextEditor?.document.uri;
    if (active?.scheme === SCHEMES.suggestion) return active.path.split('/')[1];
    return [...this.open.keys()].pop();
  }

  /** Approve (the command, or the notification's button). */
  async approve(id?: unknown): Promise<void> {
    const suggestionId = this.current(id);
    if (!suggestionId) return;
    try {
      const s = await this.session.client.ai.approve(suggestionId);
      this.updateState(s);
      this.offer(s);
    } catch (err) {
      this.session.report(err, 'approving the suggestion');
    }
  }

  /** Reject. */
  async reject(id?: unknown): Promise<void> {
    const suggestionId = this.current(id);
    if (!suggestionId) return;
    const comment = await vscode.window.showInputBox({ title: 'Reject the suggestion', prompt: 'Why? (optional)' });
    if (comment === undefined) return;
    try {
      const s = await this.session.client.ai.reject(
        suggestionId,
        comment.trim() ? { comment: comment.trim() } : undefined,
      );
      this.updateState(s);
      void vscode.window.showInformationMessage('HiveSync: suggestion rejected.');
    } catch (err) {
      this.session.report(err, 'rejecting the suggestion');
    }
  }

  /**
   * Apply. In Proxy Mode the local agent applies the patch to the files on disk (three-way when they moved on, all
   * or nothing) and marks it applied; a conflict is shown as one and no file is touched. Otherwise, or when the agent
   * has gone away meanwhile, here: every file of the patch against the local file as it is now (unsaved edits
   * included), one WorkspaceEdit when all of it fits, the files saved and the suggestion marked applied.
   */
  async apply(id?: unknown): Promise<void> {
    const suggestionId = this.current(id);
    if (!suggestionId) return;
    let suggestion: Suggestion;
    try {
      suggestion = await this.session.client.ai.suggestion(suggestionId);
    } catch (err) {
      this.session.report(err, 'reading the suggestion');
      return;
    }
    if (suggestion.state !== 'approved') {
      void vscode.window.showWarningMessage(
        suggestion.state === 'proposed'
          ? 'HiveSync: approve the suggestion before applying it.'
          : `HiveSync: this suggestion is ${suggestion.state}; only an approved one can be applied.`,
      );
      return;
    }
    const agent = await this.session.agent();
    if (agent && (await this.applyThroughAgent(agent, suggestion)) !== 'agent_gone') return;
    await this.applyHere(suggestion);
  }

  /** Apply through the agent; `agent_gone` when it could not be reached (the caller applies here instead). */
  private async applyThroughAgent(agent: AgentApi, suggestion: Suggestion): Promise<'done' | 'agent_gone'> {
    const folder = this.link.top;
    if (!folder) return 'agent_gone';
    // The agent changes the files on disk: unsaved edits in an editor would then fight with it.
    const dirty = suggestion.files.filter((p) => {
      const uri = this.link.localUri(p);
      return uri && vscode.workspace.textDocuments.some((d) => d.isDirty && d.uri.toString() === uri.toString());
    });
    if (dirty.length > 0) {
      void vscode.window.showWarningMessage(
        `HiveSync: ${dirty.join(', ')} ${dirty.length === 1 ? 'has' : 'have'} unsaved changes. Save or revert them, then apply: the local agent applies the suggestion to the files on disk.`,
      );
      return 'done';
    }
    let result: ApplySuggestionResult;
    try {
      result = await agent.applySuggestion(suggestion.id, { folder });
    } catch (err) {
      if (agentUnavailable(err)) {
        this.session.log.info(`the local agent cannot apply it (${errorText(err)}); applying here`);
        return 'agent_gone';
      }
      const conflict = conflictDetails(err);
      if (conflict) this.showConflict(suggestion, conflict);
      else this.session.report(err, 'applying the suggestion through the local agent');
      return 'done';
    }
    this.session.log.info(
      `applied ${suggestion.id} through the local agent to ${result.files.map((f) => `${f.path} (${f.change})`).join(', ')}${result.three_way ? ', merged three-way' : ''}`,
    );
    try {
      this.updateState(await this.session.client.ai.suggestion(suggestion.id));
    } catch {
      // The agent marked it applied; the next refresh shows it.
    }
    const paths = result.files.map((f) => f.path);
    void vscode.window
      .showInformationMessage(
        `HiveSync: applied through the local agent to ${paths.length} file${paths.length === 1 ? '' : 's'} (${paths.join(', ')})${result.three_way ? ', merged with your changes since the job' : ''}.`,
        'Revert',
      )
      .then((choice) => {
        if (choice === 'Revert') void this.revertThroughAgent(agent, suggestion.id, folder);
      });
    const first = paths[0] && this.link.localUri(paths[0]);
    if (first) await vscode.window.showTextDocument(first, { preview: false });
    return 'done';
  }

  /** Undoes what the agent applied (refused, files untouched, when they changed since). */
  private async revertThroughAgent(agent: AgentApi, suggestionId: string, folder: string): Promise<void> {
    try {
      const result = await agent.revertSuggestion(suggestionId, { folder });
      void vscode.window.showInformationMessage(`HiveSync: reverted ${result.files.map((f) => f.path).join(', ')}.`);
      this.updateState(await this.session.client.ai.suggestion(suggestionId));
    } catch (err) {
      const conflict = conflictDetails(err);
      if (conflict) {
        void vscode.window.showErrorMessage(
          `HiveSync: ${conflict.files.map((f) => f.path).join(', ')} changed since the suggestion was applied, so it cannot be reverted. Your files were not changed.`,
        );
      } else this.session.report(err, 'reverting the suggestion');
    }
  }

  /** A patch that no longer fits, as the agent found it: the files and hunks in words, and a diff to look at. */
  private showConflict(suggestion: Suggestion, conflict: ApplyConflictDetails): void {
    const first = conflict.files[0];
    const hunk = first?.hunks[0];
    const paths = conflict.files.map((f) => f.path).join(', ');
    // The agent's hunk message names its file and hunk already (`lib/a.js: hunk @@ -1,2 +1,3 @@ clashes with…`).
    const why = hunk
      ? hunk.message.replace(`${first!.path}: `, '') + (hunk.message.includes(hunk.header) ? '' : ` (${hunk.header})`)
      : first
        ? describeConflictReason(first)
        : 'it does not fit';
    const viewable = conflict.files.filter((f) => f.ours !== null && f.theirs !== null);
    for (const f of viewable) {
      this.conflictDocs.set(`/${suggestion.id}/conflict-ours/${f.path}`, f.ours!);
      this.conflictDocs.set(`/${suggestion.id}/conflict-theirs/${f.path}`, f.theirs!);
    }
    this.session.log.warn(`the suggestion ${suggestion.id} does not apply to ${paths}: ${why}`);
    void vscode.window
      .showErrorMessage(
        `HiveSync: the suggestion no longer applies to ${paths}: ${why}. Your files were not changed. Sync, then ask again, or apply it by hand.`,
        ...(viewable.length > 0 ? ['Show Conflict'] : []),
      )
      .then(async (choice) => {
        if (choice !== 'Show Conflict') return;
        for (const f of viewable) {
          const uri = (side: string) =>
            vscode.Uri.from({ scheme: SCHEMES.suggestion, path: `/${suggestion.id}/${side}/${f.path}` });
          await vscode.commands.executeCommand(
            'vscode.diff',
            uri('conflict-ours'),
            uri('conflict-theirs'),
            `${f.path}: your file ↔ the suggestion`,
            { preview: false },
          );
        }
      });
  }

  /** Apply here: one WorkspaceEdit from the same patch logic, or nothing when any part no longer fits. */
  private async applyHere(suggestion: Suggestion): Promise<void> {
    const client = this.session.client;
    const edit = new vscode.WorkspaceEdit();
    const touched: vscode.Uri[] = [];
    for (const file of parsePatch(suggestion.patch)) {
      const path = patchPath(file);
      const uri = this.link.localUri(path);
      if (!uri) return;
      const current = await readLocal(uri);
      const result = applyFilePatch(current, file);
      if (!result.ok) {
        void vscode.window.showErrorMessage(
          `HiveSync: the suggestion no longer applies to ${path}: ${result.reason} (hunk ${result.hunk}). Your files were not changed. Sync, then ask again, or apply it by hand.`,
        );
        return;
      }
      if (result.text === null) edit.deleteFile(uri, { ignoreIfNotExists: true });
      else if (current === null) {
        edit.createFile(uri, { ignoreIfExists: false });
        edit.insert(uri, new vscode.Position(0, 0), result.text);
        touched.push(uri);
      } else {
        const doc = await vscode.workspace.openTextDocument(uri);
        edit.replace(uri, new vscode.Range(0, 0, doc.lineCount, 0), result.text);
        touched.push(uri);
      }
    }
    if (!(await vscode.workspace.applyEdit(edit))) {
      void vscode.window.showErrorMessage('HiveSync: VS Code refused the edit; your files were not changed.');
      return;
    }
    for (const uri of touched) {
      const doc = await vscode.workspace.openTextDocument(uri);
      await doc.save();
    }
    try {
      this.updateState(await client.ai.markApplied(suggestion.id));
    } catch (err) {
      this.session.report(err, 'marking the suggestion applied');
    }
    void vscode.window.showInformationMessage(
      `HiveSync: applied to ${touched.length} file${touched.length === 1 ? '' : 's'} (${suggestion.files.join(', ')}). Undo with Edit › Undo, or git checkout.`,
    );
    if (touched[0]) await vscode.window.showTextDocument(touched[0], { preview: false });
  }

  private updateState(s: Suggestion): void {
    const open = this.open.get(s.id);
    if (open) open.suggestion = s;
    this.pending = this.pending.filter((p) => p.id !== s.id);
    if (s.state === 'proposed' || s.state === 'approved') this.pending.push(s);
    void vscode.commands.executeCommand('setContext', 'hivesync.suggestionState', s.state);
    this.lensesChanged.fire();
  }

  // The virtual documents of the diff editor.
  provideTextDocumentContent(uri: vscode.Uri): string {
    const conflict = this.conflictDocs.get(uri.path);
    if (conflict !== undefined) return conflict;
    const [, id, side, ...rest] = uri.path.split('/');
    const open = this.open.get(id ?? '');
    if (!open) return '';
    const path = rest.join('/');
    return (side === 'before' ? open.before : open.after).get(path) ?? '';
  }

  dispose(): void {
    this.lensesChanged.dispose();
    this.docsChanged.dispose();
  }
}

async function readLocal(uri: vscode.Uri): Promise<string | null> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return null;
  }
}

/** The details of a 409 `conflict` from the agent's apply or revert, or undefined for any other error. */
function conflictDetails(err: unknown): ApplyConflictDetails | undefined {
  if (!isHiveSyncError(err) || err.code !== 'conflict' || !err.details) return undefined;
  const d = err.details as Partial<ApplyConflictDetails>;
  return Array.isArray(d.files) ? (d as ApplyConflictDetails) : undefined;
}

function describeConflictReason(f: ApplyConflictFile): string {
  if (f.reason === 'missing') return 'the file is not there';
  if (f.reason === 'changed') return 'the file changed since';
  return 'it clashes with your changes';
}
