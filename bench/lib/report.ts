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
  /**
   * value / baseline in the unit where higher is better for throughput (or lower for latency; see `goal`): the
   * median of the per-round ratios when measured in alternating rounds (bench/lib/alternate.ts).
   */
  ratio: number;
  /** The lowest and highest per-round ratio. */
  ratioMin?: number;
  ratioMax?: number;
  /** How many alternating rounds (baseline, subject) the ratio is the median of. */
  rounds?: number;
  /** False when a round's ratio strays more than ±15% from the median: the figure is reported `unstable`. */
  stable?: boolean;
  goal: string;
  /** Whether the goal was met by the median; undefined when no goal is set. Not believed when `stable` is false. */
  met: boolean | undefined;
  /** When this figure was measured (ISO 8601), set by bench/run.ts: rows of a partial run keep their own dates. */
  measuredAt?: string;
  /** Seconds per load run of the run that measured it. */
  seconds?: number;
}

/** What the table's last column says: `unstable` (spread beyond ±15%) wins over the goal's yes / no. */
export function verdict(f: Figure): 'yes' | 'no' | 'unstable' | undefined {
  if (f.stable === false) return 'unstable';
  return f.met === undefined ? undefined : f.met ? 'yes' : 'no';
}

/** The ratio as "median (min–max), n rounds", or the bare ratio for a figure measured once. */
export function formatRatio(f: Figure): string {
  const r = (v: number) => (Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));
  if (f.rounds === undefined || f.ratioMin === undefined || f.ratioMax === undefined) return r(f.ratio);
  return `${r(f.ratio)} (${r(f.ratioMin)}–${r(f.ratioMax)}), ${f.rounds} round${f.rounds === 1 ? '' : 's'}`;
}

/** A group of figures measured together. */
export interface Suite {
  name: string;
  /** Runs once, on the embedded backends, even when PostgreSQL and Redis are configured. */
  embeddedOnly?: boolean;
  /** `seconds` per load run; `rounds` alternating rounds (at least 5) per ratio. */
  run(options: { seconds: number; rounds: number; env: Record<string, string>; label: string }): Promise<Figure[]>;
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
    '| suite | figure | measured | baseline (same rounds) | ratio: median (min–max), rounds | goal | met | measured on |',
    '|---|---|---|---|---|---|---|---|',
    ...figures.map((f) => {
      const v = verdict(f);
      const shown = v === undefined ? '–' : v === 'no' ? '**no**' : v === 'unstable' ? '**unstable**' : v;
      const on = f.measuredAt ? f.measuredAt.slice(0, 10) : '–';
      return `| ${f.suite} | ${f.name} | ${f.value} | ${f.baseline} | ${formatRatio(f)} | ${f.goal} | ${shown} | ${on} |`;
    }),
  ];
  return lines.join('\n');
}

/** Writes a file formatted the way the repository's Prettier settings want it (so `npm run check` stays green). */
export async function writeFormatted(file: string, text: string): Promise<void> {
  const options = (await prettier.resolveConfig(file)) ?? {};
  fs.writeFileSync(file, await prettier.format(text, { ...options, filepath: file }));
}

/**
 * Replaces the generated block of docs/PERFORMANCE.md with these figures. Each row carries the date it was measured
 * on, so a partial run (`--only`) updates its own rows' dates and no others'.
 */
export async function writePerformanceDoc(file: string, figures: Figure[]): Promise<void> {
  const begin = '<!-- bench:begin -->';
  const end = '<!-- bench:end -->';
  const dates = figures.map((f) => f.measuredAt?.slice(0, 10)).filter((d): d is string => d !== undefined);
  const span =
    dates.length === 0
      ? 'at unknown dates'
      : dates.sort().at(0) === dates.at(-1)
        ? `on ${dates[0]}`
        : `between ${dates[0]} and ${dates.at(-1)}`;
  const loads = [...new Set(figures.map((f) => f.seconds).filter((s) => s !== undefined))].sort((a, b) => a - b);
  const block = [
    begin,
    `Measured ${span} (each row's date in its last column) by \`npm run bench\`${loads.length > 0 ? ` (${loads.join(' or ')} s per load run)` : ''} on: ${describeMachine()}.`,
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
