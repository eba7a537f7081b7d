import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import * as prettier from 'prettier';

/** One measured figure, against a baseline measured in the same run. */
export interface Figure {
  suite: string;
  name: string;
  value: string;
  baseline: string;
  /** value / baseline in the unit where higher is better for throughput (or lower for latency; see `goal`). */
  ratio: number;
  goal: string;
  /** Whether the goal was met; undefined when no goal is set. */
  met: boolean | undefined;
}

/** A group of figures measured together. */
export interface Suite {
  name: string;
  /** Runs once, on the embedded backends, even when PostgreSQL and Redis are configured. */
  embeddedOnly?: boolean;
  run(options: { seconds: number; env: Record<string, string>; label: string }): Promise<Figure[]>;
}

/** This machine, in one line. */
export function describeMachine(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const memGiB = Math.round(os.totalmem() / 1024 ** 3);
  let pg = '';
  try {
    pg = `, ${execFileSync('psql', ['--version'], { encoding: 'utf8' }).trim()}`;
  } catch {
    // psql is optional
  }
  return `${os.cpus().length} × ${cpu}, ${memGiB} GiB RAM, ${os.type()} ${os.release()}, Node.js ${process.version}${pg}`;
}

/** The figures as a Markdown table. */
export function table(figures: Figure[]): string {
  const lines = [
    '| suite | figure | measured | baseline (same run) | ratio | goal | met |',
    '|---|---|---|---|---|---|---|',
    ...figures.map(
      (f) =>
        `| ${f.suite} | ${f.name} | ${f.value} | ${f.baseline} | ${f.ratio.toFixed(2)} | ${f.goal} | ${f.met === undefined ? '–' : f.met ? 'yes' : '**no**'} |`,
    ),
  ];
  return lines.join('\n');
}

/** Writes a file formatted the way the repository's Prettier settings want it (so `npm run check` stays green). */
export async function writeFormatted(file: string, text: string): Promise<void> {
  const options = (await prettier.resolveConfig(file)) ?? {};
  fs.writeFileSync(file, await prettier.format(text, { ...options, filepath: file }));
}

/** Replaces the generated block of docs/PERFORMANCE.md with this run's table. */
export async function writePerformanceDoc(file: string, figures: Figure[], seconds: number): Promise<void> {
  const begin = '<!-- bench:begin -->';
  const end = '<!-- bench:end -->';
  const block = [
    begin,
    `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench\` (${seconds} s per load run) on: ${describeMachine()}.`,
    '',
    table(figures),
    end,
  ].join('\n');
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : `# Performance\n\n${begin}\n${end}\n`;
  const start = current.indexOf(begin);
  const stop = current.indexOf(end);
  const next =
    start >= 0 && stop > start
      ? current.slice(0, start) + block + current.slice(stop + end.length)
      : `${current}\n${block}\n`;
  await writeFormatted(file, next);
}
