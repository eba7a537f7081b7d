import crypto from 'node:crypto';
import path from 'node:path';
import type { PreviewPlatform } from '@hivesync/sdk';
import * as vscode from 'vscode';
import { previewHtml } from '../common/preview-html.js';
import type { Session } from '../services/session.js';
import type { WorkspaceLink } from '../services/workspace-link.js';
import { setting, SETTINGS } from '../settings.js';
import { setEsbuildSearchDirs } from './esbuild-runtime.js';

/**
 * "Send Preview": builds the app with packages/bundler (loaded on first use), uploads it through the SDK as the
 * CLI's `hivesync preview` does, and shows the code and a QR code in a webview that runs no script.
 */
export class PreviewController implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;

  constructor(
    private readonly session: Session,
    private readonly link: WorkspaceLink,
  ) {}

  async send(): Promise<void> {
    const project = this.link.require();
    if (!project || !this.link.top) return;
    const platform = setting<PreviewPlatform>(SETTINGS.previewPlatform, 'web');
    const dir = path.resolve(this.link.top, setting(SETTINGS.previewDirectory, ''));
    const client = this.session.client;
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'HiveSync: preview', cancellable: false },
      async (progress) => {
        try {
          progress.report({ message: `building ${path.basename(dir)} for ${platform}…` });
          setEsbuildSearchDirs([dir, this.link.top!]);
          const { buildBundle } = await import('@hivesync/bundler');
          const bundle = await buildBundle({ dir, platform });
          progress.report({ message: 'creating the preview…' });
          const created = await client.previews.create({
            project_id: project.id,
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
      },
    );
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
