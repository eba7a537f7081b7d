import fs from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildBundle, isBundleError, type Bundle } from '@hivesync/bundler';
import type { Preview, PreviewCreated, PreviewPlatform, ResolvedPreview } from '@hivesync/core';
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
  viewerUrl,
  type PreviewTimings,
} from '../preview-format.js';
import { resolveProject } from '../project-ref.js';

/** What `hivesync preview [dir]` was given; `qr: false` is --no-qr. */
export interface PublishOptions {
  project?: string;
  platform?: PreviewPlatform;
  entry?: string;
  minify?: boolean;
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
    .option('--no-qr', 'do not draw the QR code')
    .action((dir: string, opts: PublishOptions, command: Command) => publish(cli.context(command), dir, opts));

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

  progress(`building ${dir} for ${platform}…`);
  let t = performance.now();
  const bundle = await build(dir, platform, opts);
  const buildMs = performance.now() - t;
  for (const warning of bundle.warnings) ctx.out.note(`hivesync: warning: ${warning}`);
  progress(
    `built ${formatBytes(bundle.size)} from ${plural(bundle.manifest.files.length, 'file')} in ${formatMs(buildMs)}`,
  );

  const projectId = await resolveProject(client, project);
  progress('creating the preview…');
  t = performance.now();
  const created = await client.previews.create({
    project_id: projectId,
    platform,
    sha256: bundle.sha256,
    size: bundle.size,
  });
  const createMs = performance.now() - t;

  let uploadMs: number | null = null;
  if (created.upload_required) {
    progress(`uploading ${formatBytes(bundle.size)}…`);
    t = performance.now();
    await client.previews.upload(created, bundle.bytes);
    uploadMs = performance.now() - t;
  } else {
    progress('the server already holds this bundle: no upload');
  }

  progress('completing…');
  t = performance.now();
  const ready = await client.previews.complete(created.preview_id, { sha256: bundle.sha256, size: bundle.size });
  const completeMs = performance.now() - t;

  const timings: PreviewTimings = { build: buildMs, create: createMs, upload: uploadMs, complete: completeMs };
  const result = publishResult(ctx.server, created, ready, bundle, timings);
  if (ctx.out.json) {
    ctx.out.jsonLine(result);
    return;
  }
  await printPublished(ctx, result, bundle, timings, opts.qr);
}

async function build(dir: string, platform: PreviewPlatform, opts: PublishOptions): Promise<Bundle> {
  try {
    return await buildBundle({
      dir,
      platform,
      ...(opts.entry !== undefined && { entry: opts.entry }),
      ...(opts.minify === true && { minify: true }),
    });
  } catch (err) {
    if (!isBundleError(err)) throw err;
    // No entry (a wrong directory) is a usage error; a compile error is the app's, like a failed sync.
    throw new CliError(err.code, err.message, err.code === 'entry_not_found' ? EXIT.usage : EXIT.api);
  }
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
