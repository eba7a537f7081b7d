import { execFileSync } from 'node:child_process';
import type { Figure, Suite } from '../lib/report.js';
import { ROOT } from '../lib/processes.js';
import { ms, time } from '../lib/stats.js';

/**
 * document_function and rename_symbol on a real mid-size TypeScript codebase (this repository's server, core and
 * SDK sources), in a fresh process as a worker runs them. Baseline: `tsc --noEmit` of the server in the same run.
 */
export const aiAnalysis: Suite = {
  name: 'ai analysis',
  embeddedOnly: true,
  async run(): Promise<Figure[]> {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/ai-probe.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as {
      files: number;
      docCold: number;
      docWarm: number;
      renameFirst: number;
      renameWarm: number;
    };
    const tsc = await time(async () =>
      execFileSync(`${ROOT}node_modules/.bin/tsc`, ['--noEmit', '-p', 'apps/server'], { cwd: ROOT }),
    );
    const row = (name: string, value: number): Figure => ({
      suite: 'ai analysis',
      name: `${name} (${r.files} files)`,
      value: `${ms(value)} ms`,
      baseline: `tsc --noEmit of the server: ${ms(tsc)} ms`,
      ratio: value / tsc,
      goal: 'none set; reported',
      met: undefined,
    });
    return [
      row('document_function, first call (builds the project)', r.docCold),
      row('document_function, next call', r.docWarm),
      row('rename_symbol across the codebase, after documenting', r.renameFirst),
      row('rename_symbol, warm', r.renameWarm),
    ];
  },
};
