import path from 'node:path';
import { isHiveSyncError, sameServer, type FolderMapping, type Project } from '@hivesync/sdk';
import * as vscode from 'vscode';
import { errorText } from '../common/errors.js';
import { projectsForRemotes } from '@hivesync/editor';
import { gitHead, gitRemotes, gitTop } from '@hivesync/editor/git';
import type { Session } from './session.js';

const LINK_KEY = 'hivesync.link';

interface StoredLink {
  server: string;
  projectId: string;
}

/**
 * Which HiveSync project the workspace's (first) git working copy is: linked automatically when exactly one of the
 * user's projects has the folder's remote as its repository, else picked or created by the user; remembered per
 * workspace and server.
 */
export class WorkspaceLink implements vscode.Disposable {
  private projectValue: Project | undefined;
  private topValue: string | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fired when the linked project changes. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly state: vscode.Memento,
    private readonly session: Session,
  ) {}

  /** The linked project, or undefined. */
  get project(): Project | undefined {
    return this.projectValue;
  }

  /** The top of the linked working copy (the folder paths in the project are relative to). */
  get top(): string | undefined {
    return this.topValue;
  }

  /**
   * Finds the working copy, then links it quietly: to the project the local agent maps this folder to (Proxy Mode:
   * the mapping every plugin shares), else to the one remembered for this workspace, else to the one project whose
   * repository is the folder's git remote (then told to the agent too, so that other plugins know).
   */
  async autoLink(): Promise<void> {
    this.topValue = await this.findTop();
    const before = this.projectValue?.id;
    this.projectValue = undefined;
    if (!this.topValue || !this.session.user) return this.fireIf(before);
    const client = this.session.client;
    const stored = this.state.get<StoredLink>(LINK_KEY);
    try {
      const mapped = await this.agentMapping(this.topValue);
      if (mapped) {
        try {
          const project = await client.projects.get(mapped.project_id);
          this.session.log.info(`linked to ${project.name} (the local agent maps ${mapped.folder} to it)`);
          return await this.set(project, { tellAgent: false });
        } catch (err) {
          if (!isNotFound(err)) throw err;
          this.session.log.warn(`the local agent maps this folder to a project you cannot see (${mapped.project_id})`);
        }
      }
      if (stored && stored.server === this.session.server) {
        try {
          this.projectValue = await client.projects.get(stored.projectId);
          if (mapped === null) await this.tellAgent(this.projectValue, false);
          return this.fireIf(before);
        } catch (err) {
          if (!isNotFound(err)) throw err;
          await this.state.update(LINK_KEY, undefined);
        }
      }
      const remotes = await gitRemotes(this.topValue);
      if (remotes.length === 0) return this.fireIf(before);
      const { projects } = await client.projects.list();
      const matches = projectsForRemotes(projects, remotes);
      if (matches.length === 1) {
        this.session.log.info(`linked to ${matches[0]!.name} (its repository is this folder's remote)`);
        return await this.set(matches[0]!, { tellAgent: mapped === null });
      }
      if (matches.length > 1) {
        this.session.log.info(
          `${matches.length} projects have this folder's remote as their repository (${matches.map((p) => p.name).join(', ')}): link one with "HiveSync: Link Workspace to a Project"`,
        );
      }
    } catch (err) {
      this.session.log.warn(`linking: ${errorText(err, this.session.server)}`);
    }
    this.fireIf(before);
  }

  /**
   * The agent's mapping of this folder (or of a folder above it) for our server: undefined when no agent is in use,
   * null when it has none.
   */
  private async agentMapping(folder: string): Promise<FolderMapping | null | undefined> {
    const agent = await this.session.agent();
    if (!agent) return undefined;
    try {
      const mapping = await agent.findMapping(folder);
      return mapping && sameServer(mapping.server_url, this.session.server) ? mapping : null;
    } catch (err) {
      this.session.log.warn(`the local agent's folder mappings: ${errorText(err)}`);
      return undefined;
    }
  }

  /**
   * Stores the link in the agent as well (Proxy Mode), so that every other plugin and the desktop app know it. A
   * project whose repository is not this folder's remote is mapped only when the user asked (`force`).
   */
  private async tellAgent(project: Project, ask: boolean): Promise<void> {
    const agent = await this.session.agent();
    if (!agent || !this.topValue) return;
    try {
      await agent.putMapping({ folder: this.topValue, project_id: project.id });
      this.session.log.info(`the local agent now maps ${this.topValue} to ${project.name}`);
    } catch (err) {
      const reason = isHiveSyncError(err) ? err.details?.reason : undefined;
      if (reason === 'remote_mismatch' && ask) {
        const choice = await vscode.window.showWarningMessage(`HiveSync: ${errorText(err)}`, 'Map Anyway');
        if (choice !== 'Map Anyway') return;
        try {
          await agent.putMapping({ folder: this.topValue, project_id: project.id, force: true });
          this.session.log.info(`the local agent now maps ${this.topValue} to ${project.name} (forced)`);
        } catch (again) {
          this.session.log.warn(`the local agent kept no mapping: ${errorText(again)}`);
        }
        return;
      }
      this.session.log.warn(`the local agent kept no mapping: ${errorText(err)}`);
    }
  }

  /** The link command: pick a project (those whose repository is this folder's remote first) or create one. */
  async pick(): Promise<Project | undefined> {
    this.topValue = await this.findTop();
    if (!this.topValue) {
      void vscode.window.showWarningMessage(
        'HiveSync: open a folder that is a git clone of your project (git clone <repository URL>), then run "HiveSync: Link Workspace to a Project".',
      );
      return undefined;
    }
    const remotes = await gitRemotes(this.topValue);
    const client = this.session.client;
    let projects: Project[];
    try {
      projects = (await client.projects.list()).projects;
    } catch (err) {
      this.session.report(err, 'listing your projects');
      return undefined;
    }
    const matching = new Set(projectsForRemotes(projects, remotes).map((p) => p.id));
    type Item = vscode.QuickPickItem & { project?: Project; create?: boolean };
    const items: Item[] = [
      ...[...projects]
        .sort((a, b) => Number(matching.has(b.id)) - Number(matching.has(a.id)))
        .map((p) => ({
          label: p.name,
          description: p.repo_url ?? 'no repository',
          detail: matching.has(p.id) ? "This folder's remote" : undefined,
          project: p,
        })),
      { label: '$(add) Create a project from this folder…', create: true },
    ];
    const picked = await vscode.window.showQuickPick(items, {
      title: 'Link this workspace to a HiveSync project',
      placeHolder:
        remotes.length === 0
          ? 'This folder has no git remote: pick a project, or add a remote (git remote add origin <URL>) and create one'
          : 'Pick the project whose repository this folder is a clone of',
    });
    if (!picked) return undefined;
    let project = picked.project;
    if (picked.create) {
      if (remotes.length === 0) {
        void vscode.window.showWarningMessage(
          'HiveSync: this folder has no git remote, so the server would have nothing to mirror. Add one (git remote add origin <URL>) and try again.',
        );
        return undefined;
      }
      const name = await vscode.window.showInputBox({
        title: 'New HiveSync project',
        prompt: `Name (its repository: ${remotes[0]})`,
        value: path.basename(this.topValue),
        validateInput: (v) => (v.trim() ? undefined : 'Give the project a name.'),
      });
      if (!name) return undefined;
      try {
        project = await client.projects.create({ name: name.trim(), repo_url: remotes[0]! });
      } catch (err) {
        this.session.report(err, 'creating the project');
        return undefined;
      }
    }
    if (project) {
      await this.set(project, { tellAgent: false });
      void vscode.window.showInformationMessage(`HiveSync: this workspace is linked to ${project.name}.`);
      await this.tellAgent(project, true);
    }
    return project;
  }

  /** Replaces the linked project (such as after a sync changed its last commit). */
  update(project: Project): void {
    if (project.id === this.projectValue?.id) this.projectValue = project;
  }

  /** The project path of a local file, or undefined when it is not in the linked working copy. */
  repoPath(uri: vscode.Uri): string | undefined {
    if (!this.topValue || !this.projectValue || uri.scheme !== 'file') return undefined;
    const rel = path.relative(this.topValue, uri.fsPath);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
    return rel.split(path.sep).join('/');
  }

  /** The local file of a project path. */
  localUri(repoPath: string): vscode.Uri | undefined {
    return this.topValue ? vscode.Uri.file(path.join(this.topValue, ...repoPath.split('/'))) : undefined;
  }

  /** The commit checked out locally. */
  head(): Promise<string | undefined> {
    return this.topValue ? gitHead(this.topValue) : Promise.resolve(undefined);
  }

  /** The project id, or a warning saying how to link; for commands. */
  require(): Project | undefined {
    if (!this.session.user) {
      void vscode.window.showWarningMessage('HiveSync: sign in first.', 'Sign In').then((c) => {
        if (c) void vscode.commands.executeCommand('hivesync.signIn');
      });
      return undefined;
    }
    if (!this.projectValue) {
      void vscode.window
        .showWarningMessage('HiveSync: this workspace is not linked to a project yet.', 'Link')
        .then((c) => {
          if (c) void vscode.commands.executeCommand('hivesync.linkProject');
        });
    }
    return this.projectValue;
  }

  private async set(project: Project, options: { tellAgent: boolean }): Promise<void> {
    this.projectValue = project;
    await this.state.update(LINK_KEY, { server: this.session.server, projectId: project.id } satisfies StoredLink);
    this.changed.fire();
    if (options.tellAgent) await this.tellAgent(project, false);
  }

  private fireIf(before: string | undefined): void {
    if (before !== this.projectValue?.id) this.changed.fire();
  }

  private async findTop(): Promise<string | undefined> {
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme !== 'file') continue;
      const top = await gitTop(folder.uri.fsPath);
      if (top) return top;
    }
    return undefined;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function isNotFound(err: unknown): boolean {
  return isHiveSyncError(err) && err.code === 'not_found';
}
