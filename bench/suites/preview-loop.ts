import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildBundle } from '@hivesync/bundler';
import { HiveSyncClient } from '@hivesync/sdk';
import { generateApp } from '../../tests/fixtures/generate-app.js';
import { alternate, ratioFields } from '../lib/alternate.js';
import { startHiveSync } from '../lib/processes.js';
import type { Figure, Suite } from '../lib/report.js';
import { median, ms, percentile, time } from '../lib/stats.js';

const MODULES = 200;
const RUNS = 15;
const STEPS = ['build', 'create', 'upload', 'complete', 'resolve', 'download'] as const;

/**
 * The whole preview loop for a generated 200-module React app, as the CLI and a phone run it: build (esbuild),
 * create, upload, complete, resolve the code, download. Each run changes one module, so every bundle is new.
 * The baseline is a build alone, in rounds alternating with the whole loop: what is left is HiveSync's share.
 */
export const previewLoop: Suite = {
  name: 'preview loop',
  async run({ env, label, rounds }): Promise<Figure[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-bench-preview-'));
    const hive = await startHiveSync(env);
    try {
      await generateApp(dir, MODULES);
      const client = new HiveSyncClient({ baseUrl: hive.url });
      await client.auth.register({ email: 'bench@example.test', password: 'bench password' });
      const project = await client.projects.create({ name: 'preview-bench' });
      const times: Record<(typeof STEPS)[number] | 'total', number[]> = {
        build: [],
        create: [],
        upload: [],
        complete: [],
        resolve: [],
        download: [],
        total: [],
      };
      let stamp = 0;
      // Each build is of a changed module, so every bundle is new.
      const build = () => {
        fs.writeFileSync(path.join(dir, 'build-stamp.ts'), `export const stamp = ${stamp++};\n`);
        return buildBundle({ dir, platform: 'web' });
      };
      const loop = async (record: boolean): Promise<number> => {
        const t: Partial<Record<(typeof STEPS)[number], number>> = {};
        const step = async <T>(name: (typeof STEPS)[number], fn: () => Promise<T>): Promise<T> => {
          const started = performance.now();
          const out = await fn();
          t[name] = performance.now() - started;
          return out;
        };
        const bundle = await step('build', build);
        const created = await step('create', () =>
          client.previews.create({ project_id: project.id, platform: 'web', sha256: bundle.sha256, size: bundle.size }),
        );
        await step('upload', () => client.previews.upload(created, bundle.bytes));
        await step('complete', () =>
          client.previews.complete(created.preview_id, { sha256: bundle.sha256, size: bundle.size }),
        );
        const resolved = await step('resolve', () => client.previews.resolve({ code: created.code }));
        await step('download', () => client.previews.download(resolved));
        const total = STEPS.reduce((n, s) => n + t[s]!, 0);
        if (record) {
          for (const s of STEPS) times[s].push(t[s]!);
          times.total.push(total);
        }
        return total;
      };
      for (let i = 0; i < 2; i++) await loop(false); // warm-up
      // The baseline, a build alone, in rounds alternating with the whole loop.
      const paired = await alternate({
        rounds: Math.max(rounds, RUNS),
        baseline: () => time(build),
        subject: () => loop(true),
      });
      const p50 = median(times.total);
      const shares = STEPS.map((s) => `${s} ${Math.round((median(times[s]) / p50) * 100)}%`).join(', ');
      return [
        {
          suite: 'preview loop',
          name: `build → create → upload → complete → resolve → download, ${MODULES}-module app (${label})`,
          value: `p50 ${ms(p50)} ms, p95 ${ms(percentile(times.total, 95))} ms over ${times.total.length} runs; ${shares}`,
          baseline: `a build alone: p50 ${ms(median(paired.baselines))} ms`,
          ...ratioFields(paired),
          goal: 'p50 < 500 ms',
          met: p50 < 500,
        },
      ];
    } finally {
      await hive.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
