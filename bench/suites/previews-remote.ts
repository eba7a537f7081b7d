import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildBundle } from '@hivesync/bundler';
import { HiveSyncClient, type PreviewBuild } from '@hivesync/sdk';
import { generateApp } from '../../tests/fixtures/generate-app.js';
import { alternate, ratioFields } from '../lib/alternate.js';
import { startHiveSync } from '../lib/processes.js';
import type { Figure, Suite } from '../lib/report.js';
import { median, ms } from '../lib/stats.js';

const MODULES = 200;

/**
 * Server-side preview builds of a generated 200-module React app, each after one module changed: hash the tree, send
 * the file list, upload the blobs the project lacks, build in the sandbox, wait for `ready`. Figures: the bytes of
 * blobs uploaded against the changed file's size (goal ≤ 1.1×), and the end-to-end time against the client-side path
 * (build here, create, upload the bundle, complete) in alternating rounds of the same run.
 */
export const previewsRemote: Suite = {
  name: 'previews remote',
  async run({ env, label, rounds }): Promise<Figure[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-bench-remote-'));
    const hive = await startHiveSync(env);
    try {
      const app = await generateApp(dir, MODULES);
      const client = new HiveSyncClient({ baseUrl: hive.url });
      await client.auth.register({ email: 'bench@example.test', password: 'bench password' });
      const project = await client.projects.create({ name: 'remote-bench' });
      if (!(await client.previews.builders()).remote_builds) throw new Error('the server has no builders');
      const files = app.files.filter((f) => f.endsWith('.tsx') || f.endsWith('.ts'));
      let stamp = 0;
      /** Changes one module (a different one each time); returns its size. */
      const change = () => {
        const file = path.join(dir, files[1 + (stamp % (files.length - 1))]!);
        fs.appendFileSync(file, `export const stamp${stamp++} = ${stamp};\n`);
        return fs.statSync(file).size;
      };
      const uploads: { blobBytes: number; changedBytes: number; listBytes: number }[] = [];
      const remote = async (changedBytes: number | undefined): Promise<number> => {
        const started = performance.now();
        const tree = app.files.map((p) => {
          const bytes = fs.readFileSync(path.join(dir, p));
          return { path: p, size: bytes.length, sha256: crypto.createHash('sha256').update(bytes).digest('hex') };
        });
        const created = await client.previews.create({ project_id: project.id, platform: 'web' });
        const body = { files: tree.map(({ path: p, sha256, size }) => ({ path: p, sha256, size })) };
        const answer = await client.previews.files(created.preview_id, body);
        let blobBytes = 0;
        for (const sha of answer.missing) {
          const f = tree.find((t) => t.sha256 === sha)!;
          const bytes = fs.readFileSync(path.join(dir, f.path));
          blobBytes += bytes.length;
          await client.previews.uploadBlob(answer.uploads[sha]!, bytes);
        }
        let build: PreviewBuild = await client.previews.build(created.preview_id);
        while (build.status !== 'succeeded' && build.status !== 'failed') {
          await new Promise((r) => setTimeout(r, 50));
          build = await client.previews.getBuild(created.preview_id);
        }
        if (build.status === 'failed') throw new Error(`the build failed: ${build.error?.message}`);
        if (changedBytes !== undefined) {
          uploads.push({ blobBytes, changedBytes, listBytes: Buffer.byteLength(JSON.stringify(body)) });
        }
        return performance.now() - started;
      };
      const local = async (): Promise<number> => {
        const started = performance.now();
        const bundle = await buildBundle({ dir, platform: 'web' });
        const created = await client.previews.create({
          project_id: project.id,
          platform: 'web',
          sha256: bundle.sha256,
          size: bundle.size,
        });
        if (created.upload_required) await client.previews.upload(created, bundle.bytes);
        await client.previews.complete(created.preview_id, { sha256: bundle.sha256, size: bundle.size });
        return performance.now() - started;
      };
      // The first preview sends the whole tree; then a warm-up of each path.
      await remote(undefined);
      change();
      await local();
      const paired = await alternate({
        rounds,
        before: async () => void change(),
        baseline: () => local(),
        subject: () => remote(undefined),
      });
      // The byte figure: one more remote preview after one changed file, recorded.
      for (let i = 0; i < 3; i++) await remote(change());
      const worst = uploads.reduce((a, b) => (b.blobBytes / b.changedBytes > a.blobBytes / a.changedBytes ? b : a));
      const ratio = worst.blobBytes / worst.changedBytes;
      return [
        {
          suite: 'previews remote',
          name: `second preview of a ${MODULES}-module app with one changed file: bytes of blobs uploaded (${label})`,
          value: `${worst.blobBytes} B (the file list itself: ${Math.round(worst.listBytes / 1024)} KB of JSON)`,
          baseline: `the changed file: ${worst.changedBytes} B`,
          ratio,
          goal: '≤ 1.1× the changed file',
          met: ratio <= 1.1,
        },
        {
          suite: 'previews remote',
          name: `server-side build end to end (hash, file list, upload, sandboxed build, ready), ${MODULES}-module app (${label})`,
          value: `p50 ${ms(median(paired.subjects))} ms`,
          baseline: `client-side path (build here, create, upload, complete): p50 ${ms(median(paired.baselines))} ms`,
          ...ratioFields(paired),
          goal: 'none set; reported',
          met: undefined,
        },
      ];
    } finally {
      await hive.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
