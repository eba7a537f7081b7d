import { performance } from 'node:perf_hooks';
import { buildBundle, type Bundle } from '@hivesync/bundler';
import type { Preview, PreviewCreated, PreviewPlatform } from '@hivesync/core';
import type { HiveSyncClient } from '@hivesync/sdk';

/** A step of publishing a preview, as `publishPreview` reports it. */
export type PublishStep =
  | { stage: 'building' }
  | { stage: 'built'; bundle: Bundle; ms: number }
  | { stage: 'creating' }
  | { stage: 'uploading'; size: number }
  | { stage: 'upload_skipped' }
  | { stage: 'completing' };

/** What to publish. */
export interface PublishInput {
  /** The app's folder. */
  dir: string;
  platform: PreviewPlatform;
  /** The project, or a function that finds it once the build succeeded (the CLI resolves a name then). */
  project: string | (() => Promise<string>);
  /** The entry file, relative to dir (default: package.json main, index.*, App.*). */
  entry?: string;
  minify?: boolean;
}

/** A published preview and how each step went. */
export interface PublishedPreview {
  projectId: string;
  created: PreviewCreated;
  ready: Preview;
  bundle: Bundle;
  /** Milliseconds per step; `upload` is null when the server already held the bundle. */
  timings: { build: number; create: number; upload: number | null; complete: number };
}

/**
 * Builds an app with the bundler, then publishes it through the SDK: create the preview (with the bundle's sha256
 * and size), upload the bytes to the presigned URL unless the server already holds them, complete. The one
 * implementation behind `hivesync preview` and the agent's POST /previews. A build failure throws the bundler's
 * BundleError (`entry_not_found`, `build_failed` with the compiler's `file:line:column: text` messages); the server's
 * refusals throw HiveSyncErrors.
 */
export async function publishPreview(
  client: HiveSyncClient,
  input: PublishInput,
  onStep: (step: PublishStep) => void = () => undefined,
): Promise<PublishedPreview> {
  onStep({ stage: 'building' });
  let t = performance.now();
  const bundle = await buildBundle({
    dir: input.dir,
    platform: input.platform,
    ...(input.entry !== undefined && { entry: input.entry }),
    ...(input.minify === true && { minify: true }),
  });
  const build = performance.now() - t;
  onStep({ stage: 'built', bundle, ms: build });

  const projectId = typeof input.project === 'string' ? input.project : await input.project();
  onStep({ stage: 'creating' });
  t = performance.now();
  const created = await client.previews.create({
    project_id: projectId,
    platform: input.platform,
    sha256: bundle.sha256,
    size: bundle.size,
  });
  const create = performance.now() - t;

  let upload: number | null = null;
  if (created.upload_required) {
    onStep({ stage: 'uploading', size: bundle.size });
    t = performance.now();
    await client.previews.upload(created, bundle.bytes);
    upload = performance.now() - t;
  } else {
    onStep({ stage: 'upload_skipped' });
  }

  onStep({ stage: 'completing' });
  t = performance.now();
  const ready = await client.previews.complete(created.preview_id, { sha256: bundle.sha256, size: bundle.size });
  const complete = performance.now() - t;
  return { projectId, created, ready, bundle, timings: { build, create, upload, complete } };
}

/** The first `file:line:column: text` of a compiler's messages, split; undefined when none has that shape. */
export function firstLocation(
  messages: readonly string[],
): { file: string; line: number; column: number; text: string } | undefined {
  for (const m of messages) {
    const found = /^(.+?):(\d+):(\d+): (.*)$/s.exec(m);
    if (found) return { file: found[1]!, line: Number(found[2]), column: Number(found[3]), text: found[4]! };
  }
  return undefined;
}
