import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generatedProject } from '../../packages/ai/src/testing/generated-project.js';
import { benchSession } from '../lib/hivesync-client.js';
import { startHiveSync } from '../lib/processes.js';
import type { Figure, Suite } from '../lib/report.js';
import { ms } from '../lib/stats.js';

const MODULES = 5000;
const BASELINE_MODULES = 500;

/**
 * A rename_symbol job on a generated 5,000-file TypeScript project (a real git repository, synced), request →
 * result as a client sees it, and whether the suggestion changes every file that uses the symbol (the declaring
 * file comes after all 5,000 modules in git's order). Baseline: the same job on the same generator's 500-file
 * project, in the same run, so the ratio shows how the time grows with the project. A first job on a 50-file
 * project loads the language tooling beforehand (a worker does that once).
 */
export const aiRename: Suite = {
  name: 'ai rename',
  embeddedOnly: true,
  async run({ env }): Promise<Figure[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-bench-ai-rename-'));
    const hive = await startHiveSync({ ...env, HIVESYNC_ALLOW_LOCAL_REPOS: 'true' });
    try {
      const session = await benchSession(hive.url);
      const rename = async (modules: number) => {
        const project = generatedProject(modules);
        const remote = path.join(dir, `p${modules}`);
        for (const [file, text] of project.files) {
          fs.mkdirSync(path.dirname(path.join(remote, file)), { recursive: true });
          fs.writeFileSync(path.join(remote, file), text);
        }
        const git = (...args: string[]) => execFileSync('git', args, { cwd: remote, stdio: 'ignore' });
        git('init', '-q', '-b', 'main');
        git('add', '-A');
        git('-c', 'user.name=bench', '-c', 'user.email=bench@example.test', 'commit', '-q', '-m', 'generated');
        const { id } = await session.json<{ id: string }>('POST', '/api/v1/projects', {
          name: `generated-${modules}`,
          repo_url: remote,
        });
        await session.syncAndWait(id);
        const started = performance.now();
        const { job_id } = await session.json<{ job_id: string }>('POST', '/api/v1/ai/jobs', {
          project_id: id,
          action: 'rename_symbol',
          path: project.declaring,
          symbol: project.symbol,
          new_name: 'formatPrice',
          range: { start_line: project.line, end_line: project.line },
        });
        for (;;) {
          const j = await session.json<{ status: string; error: unknown; suggestions: { files: string[] }[] }>(
            'GET',
            `/api/v1/ai/jobs/${job_id}`,
          );
          if (j.status === 'failed') throw new Error(`rename failed: ${JSON.stringify(j.error)}`);
          if (j.status === 'completed') {
            const changed = new Set(j.suggestions[0]?.files ?? []);
            const found = project.users.filter((f) => changed.has(f)).length;
            const extra = [...changed].filter((f) => !project.users.includes(f)).length;
            return { ms: performance.now() - started, found, expected: project.users.length, extra };
          }
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      await rename(50);
      const base = await rename(BASELINE_MODULES);
      const big = await rename(MODULES);
      const complete = big.found === big.expected && big.extra === 0;
      return [
        {
          suite: 'ai rename',
          name: `rename_symbol on a generated ${MODULES}-file project, request → result (${big.found} of ${big.expected} using files changed, ${big.extra} others: ${complete ? 'complete' : 'INCOMPLETE'})`,
          value: `${ms(big.ms)} ms`,
          baseline: `the same on ${BASELINE_MODULES} files: ${ms(base.ms)} ms (${base.found} of ${base.expected})`,
          ratio: big.ms / base.ms,
          goal: 'complete',
          met: complete,
        },
      ];
    } finally {
      await hive.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
