/**
 * The language server's own protocol: the commands it runs through `workspace/executeCommand` and the settings it
 * reads. Every editor adapter in editors/ uses these names (keep docs/editors.md in step).
 */

/** The commands of `workspace/executeCommand`, with the arguments each takes. */
export const COMMANDS = {
  /** `[]` → the finished Sync. Syncs the linked project's mirror, with $/progress. */
  sync: 'hivesync.sync',
  /** `[query: string]` → SearchLocation[]. Text search of the mirror (`/regex/i`, `path:lib/` as in VS Code). */
  search: 'hivesync.search',
  /** `[uri?: string]` → ThreadItem[]: the project's threads (of one file with a uri), where they show. */
  threads: 'hivesync.threads',
  /** `[]` → Status: who, which project, which route. */
  status: 'hivesync.status',
  /** `[uri: string, range: Range, body: string]` → the new thread's id. */
  createThread: 'hivesync.thread.create',
  /** `[threadId: string, body: string]`: a reply. Editors ask for the body, then run it. */
  reply: 'hivesync.thread.reply',
  /** `[threadId: string]`. */
  resolve: 'hivesync.thread.resolve',
  /** `[threadId: string]` → the thread's web URL, also opened with window/showDocument (external). */
  openInBrowser: 'hivesync.thread.open',
  /** `[uri: string, line: number]` (0-based): documents the function there; applies its WorkspaceEdit. */
  document: 'hivesync.ai.document',
  /** `[uri: string, position: Position, newName: string]`: the server's rename; applies its WorkspaceEdit. */
  rename: 'hivesync.ai.rename',
  /** `[uri: string, range: Range, instructions: string]`: refactors the lines (language-model providers only). */
  refactor: 'hivesync.ai.refactor',
  /** `[directory?: string, platform?: 'web' | 'ios' | 'android']` → {code, url}: builds and sends a preview. */
  sendPreview: 'hivesync.preview.send',
} as const;

/** The `hivesync` settings: initializationOptions, or the `hivesync` section of workspace/configuration. */
export interface Settings {
  /** The HiveSync server (default `$HIVESYNC_SERVER`, else http://127.0.0.1:8080). */
  serverUrl: string;
  /** `auto`: through the local agent while one runs for this server (Proxy Mode), else direct; `direct`: never. */
  connection: 'auto' | 'direct';
  /** The project to link (name or id) when the git remote does not say; empty: by the remote. */
  project: string;
  /** Seconds between reads of the threads shown as diagnostics (at least 1). */
  threadsPollSeconds: number;
  /** Show notifications as window/showMessageRequest. */
  notifications: boolean;
  /** The app folder "send preview" builds, relative to the working copy. */
  previewDirectory: string;
  /** What "send preview" builds for. */
  previewPlatform: 'web' | 'ios' | 'android';
  /**
   * Whether the editor asks for the text of the code actions that need some (Reply, Start a thread, Rename,
   * Refactor: their commands arrive without it, as Neovim's, Vim's and Sublime's plugins expect). `false` for an
   * editor that sends a code action's command as it is (JetBrains' LSP4IJ): those actions are then not offered,
   * rather than offered and failing.
   */
  textActions: boolean;
}

/** A search match as the search command returns it: an LSP Location with the project path and the line's text. */
export interface SearchLocation {
  uri: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  path: string;
  text: string;
}

/** A thread as the threads command returns it (for a quickfix list). */
export interface ThreadItem {
  thread_id: string;
  uri: string;
  path: string;
  range: SearchLocation['range'];
  state: 'open' | 'resolved';
  text: string;
}

/** What the status command returns. */
export interface Status {
  server: string;
  connected: boolean;
  user: string | null;
  project: string | null;
  route: 'direct' | 'agent' | null;
  top: string | null;
}
