import { isBundleError } from '@hivesync/bundler';
import { errors, type PreviewPlatform } from '@hivesync/core';
import {
  PREVIEW_PROGRESS_EVENT,
  type AgentPreviewProgress,
  type AgentPreviewResult,
  viewerUrl,
  type HiveSyncClient,
} from '@hivesync/sdk';
import { upstreamError } from './envelope.js';
import type { EventsHub } from './events-hub.js';
import { realFolder, type MappingStore } from './mappings.js';
import { firstLocation, publishPreview } from './preview.js';

/** What POST /previews needs. */
export interface PreviewDeps {
  client: HiveSyncClient;
  mappings: MappingStore;
  hub: EventsHub;
  serverUrl: string;
}

const PLATFORMS: readonly PreviewPlatform[] = ['web', 'ios', 'android'];

/**
 * POST /hivesync-desktop-api/previews: builds the folder's app and publishes it as a preview of its project (the
 * one given, else the folder's mapping), telling every plugin on the event stream how far it got
 * (`agent_preview_progress`, with this request's id). A build failure is 422 `unprocessable` with the file and line;
 * no entry point is 400.
 */
export async function sendPreview(
  deps: PreviewDeps,
  body: { folder?: unknown; platform?: unknown; project_id?: unknown },
  requestId: string,
): Promise<AgentPreviewResult> {
  if (typeof body.folder !== 'string') throw errors.validation('folder is required.', { field: 'folder' });
  if (typeof body.platform !== 'string' || !PLATFORMS.includes(body.platform as PreviewPlatform)) {
    throw errors.validation(`platform must be one of ${PLATFORMS.join(', ')}.`, { field: 'platform' });
  }
  if (
    body.project_id !== undefined &&
    (typeof body.project_id !== 'string' || !/^[\w-]{1,64}$/.test(body.project_id))
  ) {
    throw errors.validation('project_id must be a project id.', { field: 'project_id' });
  }
  const platform = body.platform as PreviewPlatform;
  const folder = await realFolder(body.folder);
  const projectId = (body.project_id as string | undefined) ?? (await deps.mappings.find(folder))?.project_id;
  if (projectId === undefined) {
    throw errors.validation(
      `${folder} is not mapped to a project: map it (PUT /mappings), or say which project (project_id).`,
      { field: 'project_id', reason: 'no_mapping' },
    );
  }
  const progress = (stage: AgentPreviewProgress['stage'], extra: Partial<AgentPreviewProgress> = {}) =>
    deps.hub.broadcast(PREVIEW_PROGRESS_EVENT, {
      request_id: requestId,
      folder,
      stage,
      ...extra,
    } satisfies AgentPreviewProgress);
  try {
    const published = await publishPreview(deps.client, { dir: folder, platform, project: projectId }, (step) => {
      if (step.stage === 'building') progress('building');
      else if (step.stage === 'uploading') progress('uploading');
      else if (step.stage === 'completing') progress('completing');
    });
    progress('ready', { preview_id: published.created.preview_id });
    return {
      preview_id: published.created.preview_id,
      project_id: projectId,
      code: published.created.code,
      deep_link: viewerUrl(deps.serverUrl, published.created.code),
      expires_at: published.ready.expires_at,
      platform: published.ready.platform,
      bundle: {
        sha256: published.bundle.sha256,
        size: published.bundle.size,
        uploaded: published.timings.upload !== null,
      },
    };
  } catch (err) {
    progress('failed', { message: err instanceof Error ? err.message.split('\n')[0] : String(err) });
    if (isBundleError(err)) {
      if (err.code === 'build_failed') {
        const at = firstLocation(err.errors);
        throw errors.unprocessable(err.message, {
          reason: 'build_failed',
          ...(at && { file: at.file, line: at.line, column: at.column }),
          errors: err.errors,
        });
      }
      throw errors.validation(err.message, { field: 'folder', reason: err.code });
    }
    throw upstreamError(err);
  }
}
