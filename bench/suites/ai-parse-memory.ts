import { execFileSync } from 'node:child_process';
import type { Figure, Suite } from '../lib/report.js';
import { ROOT } from '../lib/processes.js';

const PARSES = 2000;
const MB = 1024 * 1024;

/**
 * Resident memory of a process that parses a 1,200-line Python file with tree-sitter 2,000 times (`summarizeFile`,
 * as a worker runs it), in a fresh process. Baseline: the same process's RSS after its first 100 parses, so the
 * ratio is what the 1,900 parses after them added (each tree left alive used to add ~1.1 MB).
 */
export const aiParseMemory: Suite = {
  name: 'ai parse memory',
  embeddedOnly: true,
  async run(): Promise<Figure[]> {
    const out = execFileSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'bench/ai-parse-probe.ts', '--parses', String(PARSES)],
      { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 * MB },
    );
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as {
      lines: number;
      parses: number;
      rss100: number;
      rssEnd: number;
      msPerParse: number;
    };
    const ratio = r.rssEnd / r.rss100;
    return [
      {
        suite: 'ai parse memory',
        name: `RSS after ${r.parses} tree-sitter parses of a ${r.lines}-line Python file (summarize_file, ${Math.round(r.msPerParse)} ms each)`,
        value: `${Math.round(r.rssEnd / MB)} MB`,
        baseline: `RSS after the first 100: ${Math.round(r.rss100 / MB)} MB`,
        ratio,
        goal: '≤ 1.2× the baseline',
        met: ratio <= 1.2,
      },
    ];
  },
};
