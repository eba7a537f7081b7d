import type { SearchResult } from '@hivesync/sdk';
import * as vscode from 'vscode';
import { parseSearchInput } from '@hivesync/editor';
import type { Session } from '../services/session.js';
import type { WorkspaceLink } from '../services/workspace-link.js';
import { SCHEMES } from '../settings.js';

type Match = SearchResult['matches'][number];

/**
 * Search over the server's mirror: a quick pick of the matches and a Search Results view; a match opens the local
 * file at its line, or a read-only copy of the mirror's file at the searched commit when the local line differs.
 */
export class SearchController
  implements vscode.Disposable, vscode.TreeDataProvider<Match>, vscode.TextDocumentContentProvider
{
  private result: SearchResult | undefined;
  private query = '';
  private readonly treeChanged = new vscode.EventEmitter<Match | undefined>();
  readonly onDidChangeTreeData = this.treeChanged.event;

  constructor(
    private readonly session: Session,
    private readonly link: WorkspaceLink,
  ) {}

  /** The command: asks for the query, searches, offers the matches. */
  async search(text?: string): Promise<void> {
    const project = this.link.require();
    if (!project) return;
    const input =
      text ??
      (await vscode.window.showInputBox({
        title: `Search ${project.name} on HiveSync`,
        prompt: 'Text, /regex/ (/regex/i ignores case), and path:folder/ to narrow it',
        value: this.query,
      }));
    const parsed = input === undefined ? undefined : parseSearchInput(input);
    if (!parsed || input === undefined) return;
    this.query = input;
    let result: SearchResult;
    try {
      result = await this.session.client.repo.search(project.id, parsed.q, {
        regex: parsed.regex,
        ignore_case: parsed.ignore_case,
        ...(parsed.path !== undefined && { path: parsed.path }),
        limit: 200,
      });
    } catch (err) {
      this.session.report(err, 'searching');
      return;
    }
    this.result = result;
    this.treeChanged.fire(undefined);
    const items = result.matches.map((m) => ({
      label: `${m.path}:${m.line}`,
      description: m.text.trim().slice(0, 200),
      match: m,
    }));
    const picked = await vscode.window.showQuickPick(items, {
      title: `${result.matches.length}${result.truncated ? '+' : ''} match${result.matches.length === 1 ? '' : 'es'} for ${input} at ${result.commit.slice(0, 7)}`,
      placeHolder: items.length ? 'Open a match' : 'No matches',
      matchOnDescription: true,
    });
    if (picked) await this.openMatch(picked.match);
  }

  /** Opens a match: the local file when its line is the same, else the mirror's file at the searched commit. */
  async openMatch(match: Match): Promise<void> {
    const project = this.link.project;
    if (!project || !this.result) return;
    const line = Math.max(0, match.line - 1);
    const local = this.link.localUri(match.path);
    let uri: vscode.Uri | undefined;
    if (local) {
      try {
        const doc = await vscode.workspace.openTextDocument(local);
        if (line < doc.lineCount && doc.lineAt(line).text === match.text) uri = local;
      } catch {
        // Not in the working copy: the mirror's copy below.
      }
    }
    uri ??= vscode.Uri.from({ scheme: SCHEMES.mirror, path: `/${project.id}/${this.result.commit}/${match.path}` });
    const col = Math.max(0, match.column - 1);
    await vscode.window.showTextDocument(uri, { selection: new vscode.Range(line, col, line, col), preview: true });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const [, projectId, commit, ...rest] = uri.path.split('/');
    const file = await this.session.client.repo.file(projectId!, rest.join('/'), { commit: commit! });
    return file.encoding === 'utf8' ? file.content : '(binary file)';
  }

  getChildren(match?: Match): Match[] {
    return match ? [] : (this.result?.matches ?? []);
  }

  getTreeItem(match: Match): vscode.TreeItem {
    const item = new vscode.TreeItem(match.text.trim() || '(empty line)');
    item.description = `${match.path}:${match.line}`;
    item.tooltip = `${match.path}:${match.line}\n${match.text}`;
    item.command = { command: 'hivesync.search.open', title: 'Open', arguments: [match] };
    return item;
  }

  dispose(): void {
    this.treeChanged.dispose();
  }
}
