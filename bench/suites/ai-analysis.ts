import { execFileSync } from 'node:child_process';
import { alternate, ratioFields, summarize } from '../lib/alternate.js';
import type { Figure, Suite } from '../lib/report.js';
import { ROOT } from '../lib/processes.js';
import { median, ms, time } from '../lib/stats.js';

/**
 * document_function and rename_symbol on a real mid-size TypeScript codebase (this repository's server, core and
 * SDK sources), in a fresh process as a worker runs them. Baseline: `tsc --noEmit` of the server, in alternating
 * rounds.
 */
export const aiAnalysis: Suite = {
  name: 'ai analysis',
  embeddedOnly: true,
  async run({ rounds }): Promise<Figure[]> {
    type Probe = { files: number; docCold: number; docWarm: number; renameFirst: number; renameWarm: number };
    const probes: Probe[] = [];
    const tsc: number[] = [];
    // Rounds alternating `tsc --noEmit` with a fresh probe process; the four figures share the rounds.
    await alternate({
      rounds,
      baseline: async () => {
        tsc.push(
          await time(async () =>
            execFileSync(`${ROOT}node_modules/.bin/tsc`, ['--noEmit', '-p', 'apps/server'], { cwd: ROOT }),
          ),
        );
        return tsc.at(-1)!;
      },
      subject: async () => {
        const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/ai-probe.ts'], {
          cwd: ROOT,
          encoding: 'utf8',
        });
        probes.push(JSON.parse(out.trim().split('\n').at(-1)!) as Probe);
        return probes.at(-1)!.docCold;
      },
    });
    const row = (name: string, key: Exclude<keyof Probe, 'files'>): Figure => {
      const r = summarize(
        tsc,
        probes.map((p) => p[key]),
      );
      return {
        suite: 'ai analysis',
        name: `${name} (${probes[0]!.files} files)`,
        value: `${ms(median(r.subjects))} ms`,
        baseline: `tsc --noEmit of the server: ${ms(median(tsc))} ms`,
        ...ratioFields(r),
        goal: 'none set; reported',
        met: undefined,
      };
    };
    return [
      row('document_function, first call (builds the project)', 'docCold'),
      row('document_function, next call', 'docWarm'),
      row('rename_symbol across the codebase, after documenting', 'renameFirst'),
      row('rename_symbol, warm', 'renameWarm'),
    ];
  },
};
