import crypto from 'node:crypto';
import path from 'node:path';
import {
  isHiveSyncError,
  PREVIEW_PROGRESS_EVENT,
  type AgentApi,
  type AgentPreviewProgress,
  type LiveEvent,
  type PreviewPlatform,
} from '@hivesync/sdk';
import * as vscode from 'vscode';
import { agentUnavailable, errorText } from '../common/errors.js';
import { previewHtml } from '../common/preview-html.js';
import type { Session } from '../services/session.js';
import type { WorkspaceLink } from '../services/workspace-link.js';
import { setting, SETTINGS } from '../settings.js';
import { setEsbuildSearchDirs } from './esbuild-runtime.js';

/** The agent's preview stages in words. */
const PREVIEW_STAGES: Record<AgentPreviewProgress['stage'], string> = {
  building: 'the local agent is building',
  uploading: 'uploading',
  completing: 'completing',
  ready: 'ready',
  failed: 'failed',
};

/**
 * "Send Preview": builds the app with packages/bundler (loaded on first use), uploads it through the SDK as the
 * CLI's `hivesync preview` does, and shows the code and a QR code in a webview that runs no script.
 */
export class PreviewController implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  /** Who wants the agent's progress of a preview, by the request id it was asked with. */
  private readonly progressListeners = new Map<string, (progress: AgentPreviewProgress) => void>();

  constructor(
    private readonly session: Session,
    private readonly link: WorkspaceLink,
  ) {}

  /**
   * "Send Preview". In Proxy Mode the local agent builds and sends it (its progress comes on the agent's event
   * stream); otherwise, or when the agent has gone away, it is built here.
   */
  async send(): Promise<void> {
    const project = this.link.require();
    if (!project || !this.link.top) return;
    const platform = setting<PreviewPlatform>(SETTINGS.previewPlatform, 'web');
    const dir = path.resolve(this.link.top, setting(SETTINGS.previewDirectory, ''));
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'HiveSync: preview', cancellable: false },
      async (progress) => {
        const agent = await this.session.agent();
        if (agent && (await this.sendThroughAgent(agent, project.id, dir, platform, progress)) !== 'agent_gone') return;
        await this.buildHere(project.id, dir, platform, progress);
      },
    );
  }

  /** A live event of the event stream: the agent's progress of the preview this window asked for. */
  liveEvent(event: LiveEvent): void {
    if (event.type !== PREVIEW_PROGRESS_EVENT) return;
    const data = event.data as Partial<AgentPreviewProgress>;
    if (typeof data.request_id === 'string' && typeof data.stage === 'string')
      this.progressListeners.get(data.request_id)?.(data as AgentPreviewProgress);
  }

  private async sendThroughAgent(
    agent: AgentApi,
    projectId: string,
    dir: string,
    platform: PreviewPlatform,
    progress: vscode.Progress<{ message?: string }>,
  ): Promise<'done' | 'agent_gone'> {
    const requestId = crypto.randomUUID();
    this.progressListeners.set(requestId, (p) => progress.report({ message: `${PREVIEW_STAGES[p.stage]}…` }));
    progress.report({ message: `the local agent is building ${path.basename(dir)} for ${platform}…` });
    try {
      const preview = await agent.createPreview({ folder: dir, platform, project_id: projectId }, { requestId });
      this.session.log.info(`preview ${preview.code} built and sent by the local agent (${preview.bundle.size} bytes)`);
      await this.show(preview.code, preview.deep_link, preview.expires_at, platform);
      return 'done';
    } catch (err) {
      if (agentUnavailable(err)) {
        this.session.log.info(`the local agent cannot build it (${errorText(err)}); building here`);
        return 'agent_gone';
      }
      this.reportBuildError(err, dir);
      return 'done';
    } finally {
      this.progressListeners.delete(requestId);
    }
  }

  /** A failed build names the file and line (with a button to open it); anything else in words. */
  private reportBuildError(err: unknown, dir: string): void {
    const d = isHiveSyncError(err) ? (err.details as { file?: unknown; line?: unknown } | undefined) : undefined;
    const file = typeof d?.file === 'string' ? d.file : undefined;
    if (!isHiveSyncError(err) || err.status !== 422 || !file) {
      this.session.report(err, 'sending the preview');
      return;
    }
    const line = typeof d?.line === 'number' ? d.line : undefined;
    this.session.log.error(`preview build: ${err.message}`);
    void vscode.window
      .showErrorMessage(`HiveSync: the preview did not build. ${err.message}`, 'Open File')
      .then(async (choice) => {
        if (choice !== 'Open File') return;
        // The bundler names files relative to the app's folder.
        const uri = vscode.Uri.file(path.resolve(dir, file));
        const position = new vscode.Position(Math.max(0, (line ?? 1) - 1), 0);
        await vscode.window.showTextDocument(uri, { selection: new vscode.Range(position, position) });
      });
  }

  /** Direct mode: packages/bundler here (loaded on first use), then the SDK's upload, as `hivesync preview` does. */
  private async buildHere(
    projectId: string,
    dir: string,
    platform: PreviewPlatform,
    progress: vscode.Progress<{ message?: string }>,
  ): Promise<void> {
    const client = this.session.client;
    try {
      progress.report({ message: `building ${path.basename(dir)} for ${platform}…` });
      setEsbuildSearchDirs([dir, this.link.top!]);
      const { buildBundle } = await import('@hivesync/bundler');
      const bundle = await buildBundle({ dir, platform });
      progress.report({ message: 'creating the preview…' });
      const created = await client.previews.create({
        project_id: projectId,
        platform,
        sha256: bundle.sha256,
        size: bundle.size,
      });
      if (created.upload_required) {
        progress.report({ message: `uploading ${Math.ceil(bundle.size / 1024)} KB…` });
        await client.previews.upload(created, bundle.bytes);
      }
      progress.report({ message: 'completing…' });
      const ready = await client.previews.complete(created.preview_id, {
        sha256: bundle.sha256,
        size: bundle.size,
      });
      await this.show(
        created.code,
        `${this.session.server}/p/${encodeURIComponent(created.code)}`,
        ready.expires_at,
        platform,
      );
    } catch (err) {
      this.session.report(err, 'sending the preview');
    }
  }

  private async show(code: string, viewerUrl: string, expiresAt: string, platform: string): Promise<void> {
    const QRCode = await import('qrcode');
    const qrSvg = await QRCode.toString(viewerUrl, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    this.panel ??= vscode.window.createWebviewPanel('hivesync.preview', 'HiveSync Preview', vscode.ViewColumn.Beside, {
      enableScripts: false,
      localResourceRoots: [],
    });
    this.panel.onDidDispose(() => (this.panel = undefined));
    this.panel.webview.html = previewHtml({
      code,
      qrSvg,
      viewerUrl,
      expiresAt: new Date(expiresAt).toLocaleString(),
      platform,
      cspSource: this.panel.webview.cspSource,
      nonce: crypto.randomBytes(16).toString('base64'),
    });
    this.panel.reveal();
    this.session.log.info(`preview ${code} (${viewerUrl})`);
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
