import { describe, expect, it } from 'vitest';
import { alternate, MAX_SPREAD, summarize } from './alternate.js';

describe('alternating rounds', () => {
  it('reports the median of the per-round ratios with its min and max, not a ratio of medians', () => {
    // Ratios 0.5, 0.8, 0.9, 1.0, 0.85: the median of medians (8.5 / 10) would hide how rounds differ.
    const r = summarize([10, 10, 10, 10, 20], [5, 8, 9, 10, 17]);
    expect(r.ratios).toEqual([0.5, 0.8, 0.9, 1, 0.85]);
    expect(r.median).toBe(0.85);
    expect(r.min).toBe(0.5);
    expect(r.max).toBe(1);
  });

  it('calls a figure stable only when every round lies within ±15% of the median', () => {
    const steady = summarize([100, 100, 100, 100, 100], [80, 85, 90, 95, 86]);
    expect(steady.spread).toBeCloseTo(0.09 / 0.86, 5);
    expect(steady.stable).toBe(true);
    // One burst of load on one side of one round is enough to say so.
    const burst = summarize([100, 100, 100, 100, 100], [80, 85, 90, 95, 40]);
    expect(burst.spread).toBeGreaterThan(MAX_SPREAD);
    expect(burst.stable).toBe(false);
    // Exactly at the edge is still stable; a single round never is (nothing to compare it with).
    expect(summarize([1, 1, 1], [0.85, 1, 1.15]).stable).toBe(true);
    expect(summarize([1], [1]).stable).toBe(false);
  });

  it('refuses rounds that do not pair up or a ratio that is not a number', () => {
    expect(() => summarize([1, 2], [1])).toThrow(/2 baselines for 1 subjects/);
    expect(() => summarize([], [])).toThrow();
    expect(() => summarize([0], [1])).toThrow(/not finite/);
  });

  it('measures baseline then subject in every round, the subject first in every second round when asked', async () => {
    const order: string[] = [];
    const measure = (name: string, value: number) => async (round: number) => {
      order.push(`${name}${round}`);
      return value;
    };
    const r = await alternate({ rounds: 3, baseline: measure('b', 4), subject: measure('s', 2) });
    expect(order).toEqual(['b0', 's0', 'b1', 's1', 'b2', 's2']);
    expect(r.ratios).toEqual([0.5, 0.5, 0.5]);
    order.length = 0;
    await alternate({
      rounds: 3,
      before: async (round) => void order.push(`before${round}`),
      baseline: measure('b', 1),
      subject: measure('s', 1),
      swap: true,
    });
    expect(order).toEqual(['before0', 'b0', 's0', 'before1', 's1', 'b1', 'before2', 'b2', 's2']);
  });
});
