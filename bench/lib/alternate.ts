import { median } from './stats.js';

/** How far a round's ratio may stray from the median (either way) before a figure is called unstable. */
export const MAX_SPREAD = 0.15;

/** The fewest rounds a figure is measured in (the first hour suite excepted; see docs/PERFORMANCE.md). */
export const MIN_ROUNDS = 5;

/** Per-round ratios of a subject to its baseline, and what they say together. */
export interface Rounds {
  /** subject / baseline of each round, in the order measured. */
  ratios: number[];
  baselines: number[];
  subjects: number[];
  /** The median of the per-round ratios: the figure's ratio. */
  median: number;
  min: number;
  max: number;
  /** The largest relative distance of a round's ratio from the median: 0.1 means every round within ±10%. */
  spread: number;
  /** Whether every round's ratio lies within ±MAX_SPREAD of the median (and there is more than one round). */
  stable: boolean;
}

/**
 * The statistics of paired measurements: `subjects[i] / baselines[i]` for each round, their median, min, max and
 * spread. Pure, so the rule that marks a figure unstable is tested on its own.
 */
export function summarize(baselines: number[], subjects: number[]): Rounds {
  if (baselines.length !== subjects.length || baselines.length === 0) {
    throw new Error(`summarize: ${baselines.length} baselines for ${subjects.length} subjects`);
  }
  const ratios = subjects.map((s, i) => s / baselines[i]!);
  if (ratios.some((r) => !Number.isFinite(r)))
    throw new Error(`summarize: a ratio is not finite (${ratios.join(', ')})`);
  const mid = median(ratios);
  const min = Math.min(...ratios);
  const max = Math.max(...ratios);
  const spread = mid === 0 ? (max === 0 ? 0 : Infinity) : Math.max(mid - min, max - mid) / Math.abs(mid);
  return {
    ratios,
    baselines,
    subjects,
    median: mid,
    min,
    max,
    spread,
    // (A hair of tolerance: 1.15 / 1 - 1 is 0.15000000000000002 in floating point.)
    stable: ratios.length > 1 && spread <= MAX_SPREAD + 1e-9,
  };
}

/**
 * Measures a subject against its baseline in alternating rounds (baseline, subject, baseline, subject, …), so a
 * burst of load on the shared machine lands on both sides of some round instead of on one side of the figure.
 * Each function measures once and returns a number in the same unit (req/s, ms, …); the ratio is subject / baseline.
 * `before` prepares a round (e.g. new commits to fetch); `swap` lets the subject go first in every second round,
 * for measurements where going second means a warmer cache.
 */
export async function alternate(options: {
  rounds: number;
  baseline: (round: number) => Promise<number>;
  subject: (round: number) => Promise<number>;
  before?: (round: number) => Promise<void>;
  swap?: boolean;
}): Promise<Rounds> {
  const baselines: number[] = [];
  const subjects: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    await options.before?.(round);
    if (options.swap && round % 2 === 1) {
      const s = await options.subject(round);
      baselines.push(await options.baseline(round));
      subjects.push(s);
    } else {
      baselines.push(await options.baseline(round));
      subjects.push(await options.subject(round));
    }
  }
  return summarize(baselines, subjects);
}

/** The rounds as a figure's ratio fields: median ratio, its min–max, the round count and the stability flag. */
export function ratioFields(r: Rounds): {
  ratio: number;
  ratioMin: number;
  ratioMax: number;
  rounds: number;
  stable: boolean;
} {
  return { ratio: r.median, ratioMin: r.min, ratioMax: r.max, rounds: r.ratios.length, stable: r.stable };
}
