import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { alternate, ratioFields } from '../lib/alternate.js';
import { benchSession } from '../lib/hivesync-client.js';
import { ROOT, startHiveSync } from '../lib/processes.js';
import type { Figure, Suite } from '../lib/report.js';
import { median, ms, time } from '../lib/stats.js';

const REPOS = path.resolve(process.env.HIVESYNC_TEST_REPOS ?? path.join(ROOT, '..', 'shared', 'data', 'repos'));

/**
 * An AI doc job on a function of express that is documented already (request → completed, as a client sees it): it
 * must know there is nothing to do at once. Baseline: the same job on an undocumented function of express, which
 * loads the project and writes a patch, in the same run.
 */
export const aiExpress: Suite = {
  name: 'ai on express',
  embeddedOnly: true,
  async run({ env, rounds }): Promise<Figure[]> {
    const express = path.join(REPOS, 'express.git');
    if (!fs.existsSync(express)) {
      console.log(`  ai on express: skipped, no ${express} (see README, Tests)`);
      return [];
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-bench-ai-express-'));
    const remote = path.join(dir, 'express.git');
    execFileSync('git', ['clone', '-q', '--bare', '--shared', express, remote]);
    const show = (file: string) =>
      execFileSync('git', ['--git-dir', remote, 'show', `HEAD:${file}`], { encoding: 'utf8' });
    const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
    const documented = lineOf(show('lib/application.js'), 'app.init = function init()');
    const undocumented = lineOf(show('lib/response.js'), 'function sendfile(');
    const hive = await startHiveSync({ ...env, HIVESYNC_ALLOW_LOCAL_REPOS: 'true' });
    try {
      const session = await benchSession(hive.url);
      const project = await session.json<{ id: string }>('POST', '/api/v1/projects', {
        name: 'express',
        repo_url: remote,
      });
      await session.syncAndWait(project.id);
      const job = async (file: string, line: number) => {
        const { job_id } = await session.json<{ job_id: string }>('POST', '/api/v1/ai/jobs', {
          project_id: project.id,
          action: 'document_function',
          path: file,
          range: { start_line: line, end_line: line },
        });
        for (;;) {
          const j = await session.json<{ status: string; error: unknown }>('GET', `/api/v1/ai/jobs/${job_id}`);
          if (j.status === 'completed') return;
          if (j.status === 'failed') throw new Error(`AI job failed: ${JSON.stringify(j.error)}`);
          await new Promise((r) => setTimeout(r, 5));
        }
      };
      // The first AI job of a worker loads the language tooling once: not what either figure is about.
      await job('lib/application.js', documented);
      const paired = await alternate({
        rounds,
        baseline: () => time(() => job('lib/response.js', undocumented)),
        subject: () => time(() => job('lib/application.js', documented)),
      });
      const n = median(paired.subjects);
      const w = median(paired.baselines);
      return [
        {
          suite: 'ai on express',
          name: `doc on an already documented function: completed, no suggestion (median of ${rounds}, request → result)`,
          value: `${ms(n)} ms`,
          baseline: `doc on an undocumented one: ${ms(w)} ms`,
          ...ratioFields(paired),
          goal: '< 1000 ms',
          met: n < 1000,
        },
      ];
    } finally {
      await hive.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
