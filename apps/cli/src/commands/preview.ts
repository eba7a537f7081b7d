import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { isBundleError, type Bundle } from '@hivesync/bundler';
import type {
  Preview,
  PreviewBuild,
  PreviewCreated,
  PreviewFile,
  PreviewPlatform,
  ResolvedPreview,
} from '@hivesync/core';
import { viewerUrl, type HiveSyncClient } from '@hivesync/sdk';
import { Option, type Command } from 'commander';
import type { Cli, Context } from '../context.js';
import { CliError, EXIT, usageError } from '../errors.js';
import { formatBytes, formatTime, plural, shortId } from '../output.js';
import {
  formatCode,
  formatExpiry,
  formatMs,
  formatTimings,
  looksLikeCode,
  normalizeCode,
  renderQr,
  spacedCode,
  type PreviewTimings,
} from '../preview-format.js';
import { resolveProject } from '../project-ref.js';

/** What `hivesync preview [dir]` was given; `qr: false` is --no-qr. */
export interface PublishOptions {
  project?: string;
  platform?: PreviewPlatform;
  entry?: string;
  minify?: boolean;
  /** true: build on the server (--remote); false: build here (--local); undefined: the server if it has builders. */
  remote?: boolean;
  qr: boolean;
}

/** The `--json` answer of `hivesync preview`. */
export interface PublishResult {
  preview: Preview;
  code: string;
  token: string;
  viewer_url: string;
  expires_at: string;
  /** False when the server already held the bundle, so nothing was uploaded. */
  uploaded: boolean;
  timings: { build_ms: number; create_ms: number; upload_ms: number; complete_ms: number };
  bundle: { sha256: string; size: number; entry: string; files: number; content_type: string };
}

const PLATFORMS: PreviewPlatform[] = ['web', 'ios', 'android'];

/** preview [dir], preview list, preview open: device previews. */
export function previewCommands(program: Command, cli: Cli): void {
  const preview = program
    .command('preview')
    .description('bundle an app and publish it as a preview: a code to type on a phone, a QR code to scan')
    .argument('[dir]', 'the app directory', '.')
    // Checked in publish(), not by commander: a mandatory option here would be demanded of `preview list` too.
    .option('-p, --project <project>', 'the project id or name (member role); required')
    .addOption(new Option('--platform <platform>', 'where the preview runs; required').choices(PLATFORMS))
    .option('--entry <file>', 'the entry file, relative to dir (default: package.json main, index.*, App.*)')
    .option('--minify', 'minify the bundle (React in production mode)')
    .option('--remote', 'build on the server: send only the files it lacks (the default when the server has builders)')
    .option('--local', 'build here and upload the bundle (the default when the server has no builders)')
    .option('--no-qr', 'do not draw the QR code')
    .action((dir: string, opts: PublishOptions & { local?: boolean }, command: Command) => {
      if (opts.remote === true && opts.local === true) throw usageError('--remote and --local exclude each other');
      const remote = opts.remote === true ? true : opts.local === true ? false : undefined;
      return publish(cli.context(command), dir, { ...opts, remote });
    });

  preview
    .command('list')
    .description("a project's previews")
    .argument('<project>', 'the project id or name')
    .action((project: string, _opts: unknown, command: Command) => list(cli.context(command), project));

  preview
    .command('open')
    .description('resolve a preview code (or token) and save its bundle, as a phone would; this spends the code')
    .argument('<code>', 'the code, such as ABCD-2345, or a preview token')
    .option('-o, --out <file>', 'write the bundle to this file ("-" for stdout) instead of printing where it is')
    .action((code: string, opts: { out?: string }, command: Command) => open(cli.context(command), code, opts.out));
}

async function publish(ctx: Context, dir: string, opts: PublishOptions): Promise<void> {
  if (opts.project === undefined) throw usageError('say which project: --project <id or name>');
  if (opts.platform === undefined) throw usageError(`say where the preview runs: --platform ${PLATFORMS.join('|')}`);
  const { project, platform } = opts;
  const progress = (text: string) => {
    if (!ctx.out.json) ctx.out.note(ctx.out.ec.dim(`preview: ${text}`));
  };
  // Credentials first (a local read): no point building for someone who must log in. The server comes after the build.
  const client = await ctx.loggedInClient();
  const remote =
    opts.remote ??
    (await client.previews.builders().then(
      (b) => b.remote_builds,
      () => false,
    ));
  if (remote) {
    if (opts.minify === true) throw usageError('--minify is for local builds: leave it out, or add --local');
    await publishRemote(ctx, client, dir, opts, progress);
    return;
  }

  // The shared implementation (packages/agent/src/preview.ts), also behind the agent's POST /previews.
  const { publishPreview } = await import('@hivesync/agent');
  let published;
  try {
    published = await publishPreview(
      client,
      {
        dir,
        platform,
        project: () => resolveProject(client, project),
        ...(opts.entry !== undefined && { entry: opts.entry }),
        ...(opts.minify === true && { minify: true }),
      },
      (step) => {
        if (step.stage === 'building') progress(`building ${dir} for ${platform}…`);
        else if (step.stage === 'built') {
          for (const warning of step.bundle.warnings) ctx.out.note(`hivesync: warning: ${warning}`);
          progress(
            `built ${formatBytes(step.bundle.size)} from ${plural(step.bundle.manifest.files.length, 'file')} in ${formatMs(step.ms)}`,
          );
        } else if (step.stage === 'creating') progress('creating the preview…');
        else if (step.stage === 'uploading') progress(`uploading ${formatBytes(step.size)}…`);
        else if (step.stage === 'upload_skipped') progress('the server already holds this bundle: no upload');
        else progress('completing…');
      },
    );
  } catch (err) {
    if (!isBundleError(err)) throw err;
    // No entry (a wrong directory) is a usage error; a compile error is the app's, like a failed sync.
    throw new CliError(err.code, err.message, err.code === 'entry_not_found' ? EXIT.usage : EXIT.api);
  }
  const { created, ready, bundle } = published;
  const { build: buildMs, create: createMs, upload: uploadMs, complete: completeMs } = published.timings;

  const timings: PreviewTimings = { build: buildMs, create: createMs, upload: uploadMs, complete: completeMs };
  const result = publishResult(ctx.server, created, ready, bundle, timings);
  if (ctx.out.json) {
    ctx.out.jsonLine(result);
    return;
  }
  await printPublished(ctx, result, bundle, timings, opts.qr);
}

/** The `--json` answer of `hivesync preview --remote`. */
export interface RemotePublishResult {
  preview: Preview;
  build: PreviewBuild;
  code: string;
  token: string;
  viewer_url: string;
  expires_at: string;
  /** Files in the tree; those whose blob the server lacked were uploaded. */
  files: number;
  uploaded: { files: number; bytes: number };
  timings: { hash_ms: number; upload_ms: number; build_ms: number; total_ms: number };
}

// Folders never sent: installed packages (the server bundles with its own React), git and tool state.
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'build']);
const UPLOAD_CONCURRENCY = 8;
const POLL_MS = 300;

/** Builds on the server: the tree's hashes, the blobs the project lacks, then the build, followed to its end. */
async function publishRemote(
  ctx: Context,
  client: HiveSyncClient,
  dir: string,
  opts: PublishOptions,
  progress: (text: string) => void,
): Promise<void> {
  const started = performance.now();
  const root = path.resolve(dir);
  progress(`hashing ${dir}…`);
  const tree = await readTree(root);
  const hashMs = performance.now() - started;
  const projectId = await resolveProject(client, opts.project!);
  const created = await client.previews.create({ project_id: projectId, platform: opts.platform! });
  const answer = await client.previews.files(created.preview_id, {
    files: tree.map(({ path: p, sha256, size }) => ({ path: p, sha256, size })),
    ...(opts.entry !== undefined && { entry: opts.entry }),
  });
  const bySha = new Map(tree.map((f) => [f.sha256, f]));
  const missing = answer.missing.map((sha) => bySha.get(sha)!);
  const bytes = missing.reduce((n, f) => n + f.size, 0);
  progress(
    missing.length === 0
      ? `the server holds all ${plural(tree.length, 'file')}: nothing to upload`
      : `uploading ${plural(missing.length, 'file')} of ${tree.length} (${formatBytes(bytes)})…`,
  );
  let t = performance.now();
  const queue = [...missing];
  await Promise.all(
    Array.from({ length: Math.min(UPLOAD_CONCURRENCY, queue.length) }, async () => {
      for (let f = queue.shift(); f; f = queue.shift()) {
        await client.previews.uploadBlob(answer.uploads[f.sha256]!, await fs.readFile(path.join(root, f.path)));
      }
    }),
  );
  const uploadMs = performance.now() - t;
  t = performance.now();
  let build = await client.previews.build(created.preview_id);
  let stage = '';
  while (build.status !== 'succeeded' && build.status !== 'failed') {
    if (build.stage !== stage) progress(`building on the server: ${(stage = build.stage)}…`);
    await new Promise((r) => setTimeout(r, POLL_MS));
    build = await client.previews.getBuild(created.preview_id);
  }
  const buildMs = performance.now() - t;
  if (build.status === 'failed') {
    const e = build.error!;
    const at = e.file ? ` (${e.file}${e.line ? `:${e.line}${e.column ? `:${e.column}` : ''}` : ''})` : '';
    throw new CliError(
      e.code,
      `the server build failed${at}: ${e.message}`,
      e.code === 'entry_not_found' ? EXIT.usage : EXIT.api,
    );
  }
  const ready = await client.previews.get(created.preview_id);
  const result: RemotePublishResult = {
    preview: ready,
    build,
    code: created.code,
    token: created.token,
    viewer_url: viewerUrl(ctx.server, created.code),
    expires_at: ready.expires_at,
    files: tree.length,
    uploaded: { files: missing.length, bytes },
    timings: {
      hash_ms: Math.round(hashMs),
      upload_ms: Math.round(uploadMs),
      build_ms: Math.round(buildMs),
      total_ms: Math.round(performance.now() - started),
    },
  };
  if (ctx.out.json) {
    ctx.out.jsonLine(result);
    return;
  }
  const { c } = ctx.out;
  ctx.out.line(`Preview ready: ${ready.platform} bundle built on the server.`);
  ctx.out.line();
  ctx.out.line(`    ${c.bold(c.cyan(spacedCode(created.code)))}`);
  ctx.out.line();
  if (opts.qr) {
    ctx.out.line(await renderQr(result.viewer_url, ctx.out.c.isColorSupported));
    ctx.out.line();
  }
  ctx.out.line(
    `Type the code ${c.bold(formatCode(created.code))} in the HiveSync app${opts.qr ? ', scan the QR code,' : ''} or open`,
  );
  ctx.out.line(`  ${c.underline(result.viewer_url)}`);
  ctx.out.line(`The code works once and expires ${formatExpiry(result.expires_at)}.`);
  ctx.out.line();
  ctx.out.line(
    c.dim(
      `${plural(tree.length, 'file')}, ${missing.length} uploaded (${formatBytes(bytes)}) · hash ${formatMs(hashMs)} · upload ${formatMs(uploadMs)} · server build ${formatMs(buildMs)} · ${formatBytes(ready.size ?? 0)}`,
    ),
  );
}

/** Every regular file under `root` (not node_modules, dist, build or dot-folders) with its SHA-256; symlinks refused. */
export async function readTree(root: string): Promise<(PreviewFile & { size: number })[]> {
  const out: (PreviewFile & { size: number })[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await fs.readdir(path.join(root, rel), { withFileTypes: true });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isSymbolicLink()) {
        throw new CliError(
          'symlink_in_tree',
          `${p} is a symbolic link: a remote build takes regular files only (replace it, or build here with --local)`,
          EXIT.usage,
        );
      }
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && !SKIPPED_DIRS.has(entry.name)) await walk(p);
      } else if (entry.isFile() && !entry.name.startsWith('.')) {
        const bytes = await fs.readFile(path.join(root, p));
        out.push({ path: p, size: bytes.length, sha256: crypto.createHash('sha256').update(bytes).digest('hex') });
      }
    }
  };
  await walk('');
  return out;
}

/** The `--json` answer of `hivesync preview`, from what the steps returned. */
export function publishResult(
  server: string,
  created: PreviewCreated,
  ready: Preview,
  bundle: Pick<Bundle, 'sha256' | 'size' | 'contentType' | 'manifest'>,
  t: PreviewTimings,
): PublishResult {
  const ms = (n: number) => Math.round(n);
  return {
    preview: ready,
    code: created.code,
    token: created.token,
    viewer_url: viewerUrl(server, created.code),
    expires_at: ready.expires_at,
    uploaded: t.upload !== null,
    timings: {
      build_ms: ms(t.build),
      create_ms: ms(t.create),
      upload_ms: ms(t.upload ?? 0),
      complete_ms: ms(t.complete),
    },
    bundle: {
      sha256: bundle.sha256,
      size: bundle.size,
      entry: bundle.manifest.entry,
      files: bundle.manifest.files.length,
      content_type: bundle.contentType,
    },
  };
}

async function printPublished(
  ctx: Context,
  result: PublishResult,
  bundle: Bundle,
  timings: PreviewTimings,
  qr: boolean,
): Promise<void> {
  const { c } = ctx.out;
  ctx.out.line(`Preview ready: ${result.preview.platform} bundle of ${c.bold(bundle.manifest.entry)}.`);
  ctx.out.line();
  ctx.out.line(`    ${c.bold(c.cyan(spacedCode(result.code)))}`);
  ctx.out.line();
  if (qr) {
    ctx.out.line(await renderQr(result.viewer_url, ctx.out.c.isColorSupported));
    ctx.out.line();
  }
  const scan = qr ? ', scan the QR code,' : '';
  ctx.out.line(`Type the code ${c.bold(formatCode(result.code))} in the HiveSync app${scan} or open`);
  ctx.out.line(`  ${c.underline(result.viewer_url)}`);
  ctx.out.line(`The code works once and expires ${formatExpiry(result.expires_at)}.`);
  ctx.out.line();
  for (const line of formatTimings(
    timings,
    { size: bundle.size, files: bundle.manifest.files.length, platform: result.preview.platform },
    c,
  )) {
    ctx.out.line(line);
  }
}

async function list(ctx: Context, ref: string): Promise<void> {
  const client = await ctx.loggedInClient();
  const result = await client.previews.list(await resolveProject(client, ref));
  ctx.out.result(result, () => {
    if (result.previews.length === 0) {
      ctx.out.line(`No previews yet: publish one with \`hivesync preview DIR --project ${ref} --platform web\`.`);
      return;
    }
    const { c } = ctx.out;
    ctx.out.table(
      ['ID', 'PLATFORM', 'STATUS', 'SIZE', 'CREATED', 'EXPIRES'],
      result.previews.map((p) => [
        shortId(p.preview_id),
        p.platform,
        { text: p.status, style: p.status === 'ready' ? c.green : p.status === 'failed' ? c.red : c.dim },
        p.size === null ? '-' : formatBytes(p.size),
        formatTime(p.created_at),
        p.status === 'ready' || p.status === 'pending_upload' ? formatExpiry(p.expires_at) : '-',
      ]),
    );
  });
}

async function open(ctx: Context, input: string, out: string | undefined): Promise<void> {
  if (out === '-' && ctx.out.json) throw usageError('--out - writes the bundle itself to stdout: leave out --json');
  // Resolving is public: no login needed, and no token is sent.
  const client = ctx.client();
  const body = looksLikeCode(input) ? { code: normalizeCode(input) } : { token: input.trim() };
  const resolved = await client.previews.resolve(body);
  if (out === undefined) {
    ctx.out.result(resolved, () => printResolved(ctx, resolved));
    return;
  }
  const bytes = await client.previews.download(resolved);
  if (out === '-') {
    ctx.out.bytes(bytes);
    return;
  }
  const file = path.resolve(out);
  await fs.writeFile(file, bytes);
  ctx.out.result({ ...resolved, out: file }, () =>
    ctx.out.line(
      `Wrote the ${resolved.platform} bundle (${formatBytes(bytes.length)}, sha256 ${resolved.sha256.slice(0, 12)}…, checked) to ${file}.`,
    ),
  );
}

function printResolved(ctx: Context, r: ResolvedPreview): void {
  const { c } = ctx.out;
  const rows: [string, string][] = [
    ['preview', r.preview_id],
    ['project', r.project_id],
    ['platform', r.platform],
    ['size', r.size < 1000 ? formatBytes(r.size) : `${formatBytes(r.size)} (${plural(r.size, 'byte')})`],
    ['sha256', r.sha256],
    ['expires', formatExpiry(r.expires_at)],
    ['download', c.underline(r.download_url)],
  ];
  for (const [key, value] of rows) ctx.out.line(`${c.dim(key.padEnd(8))}  ${value}`);
  ctx.out.note(ctx.out.ec.dim('The code is spent: it resolves only once. Next time, save the bundle with --out FILE.'));
}
