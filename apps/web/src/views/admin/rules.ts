// The autoscaling rules form's model: a rule as typed, checked before sending (the limits of AutoscalingRule in
// @hivesync/core, which the server enforces again).
import type { AutoscalingRule } from '@hivesync/sdk';

/** A rule as the form holds it: every number as typed, checked before sending. */
export interface DraftRule {
  key: string;
  pool: string;
  min_workers: string;
  max_workers: string;
  scale_up_oldest_seconds: string;
  scale_up_depth: string;
  scale_down_idle_minutes: string;
  enabled: boolean;
}
export type NumberField = Exclude<keyof DraftRule, 'key' | 'pool' | 'enabled'>;

let nextKey = 0;
export const toDraft = (r: AutoscalingRule): DraftRule => ({
  key: `rule-${nextKey++}`,
  pool: r.pool,
  min_workers: String(r.min_workers),
  max_workers: String(r.max_workers),
  scale_up_oldest_seconds: r.scale_up_oldest_seconds === null ? '' : String(r.scale_up_oldest_seconds),
  scale_up_depth: r.scale_up_depth === null ? '' : String(r.scale_up_depth),
  scale_down_idle_minutes: String(r.scale_down_idle_minutes),
  enabled: r.enabled,
});
export const blankRule = (pool: string): DraftRule => ({
  key: `rule-${nextKey++}`,
  pool,
  min_workers: '1',
  max_workers: '4',
  scale_up_oldest_seconds: '60',
  scale_up_depth: '',
  scale_down_idle_minutes: '10',
  enabled: true,
});

/** The limits of each number (as AutoscalingRule in @hivesync/core), with what the field is called. */
export const LIMITS: Record<NumberField, { label: string; min: number; max: number; optional: boolean }> = {
  min_workers: { label: 'Minimum workers', min: 0, max: 1000, optional: false },
  max_workers: { label: 'Maximum workers', min: 0, max: 1000, optional: false },
  scale_up_oldest_seconds: {
    label: 'Scale up when the oldest waiting job is older than (seconds)',
    min: 1,
    max: 86_400,
    optional: true,
  },
  scale_up_depth: { label: 'Scale up when more jobs than this wait', min: 1, max: 10_000_000, optional: true },
  scale_down_idle_minutes: { label: 'Scale down after idle minutes', min: 1, max: 10_080, optional: false },
};
const POOL_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** What is wrong with each field of each rule (by rule key, then field), empty when the rules can be sent. */
export function validateRules(rules: readonly DraftRule[]): Record<string, Partial<Record<keyof DraftRule, string>>> {
  const problems: Record<string, Partial<Record<keyof DraftRule, string>>> = {};
  const seen = new Set<string>();
  for (const r of rules) {
    const p: Partial<Record<keyof DraftRule, string>> = {};
    if (!POOL_PATTERN.test(r.pool))
      p.pool = 'A pool name is 1 to 63 lowercase letters, digits, - or _, starting with a letter or digit.';
    else if (seen.has(r.pool)) p.pool = `Pool ${r.pool} has another rule: one rule per pool.`;
    seen.add(r.pool);
    for (const [field, limit] of Object.entries(LIMITS) as [NumberField, (typeof LIMITS)[NumberField]][]) {
      const text = r[field].trim();
      if (text === '') {
        if (!limit.optional) p[field] = `${limit.label} is required.`;
        continue;
      }
      const n = Number(text);
      if (!Number.isInteger(n) || n < limit.min || n > limit.max)
        p[field] =
          `A whole number from ${limit.min} to ${limit.max}${limit.optional ? ', or empty for no trigger' : ''}.`;
    }
    if (!p.min_workers && !p.max_workers && Number(r.min_workers) > Number(r.max_workers))
      p.max_workers = 'The maximum must be at least the minimum.';
    if (Object.keys(p).length > 0) problems[r.key] = p;
  }
  return problems;
}

export const fromDraft = (r: DraftRule): AutoscalingRule => ({
  pool: r.pool,
  min_workers: Number(r.min_workers),
  max_workers: Number(r.max_workers),
  scale_up_oldest_seconds: r.scale_up_oldest_seconds.trim() === '' ? null : Number(r.scale_up_oldest_seconds),
  scale_up_depth: r.scale_up_depth.trim() === '' ? null : Number(r.scale_up_depth),
  scale_down_idle_minutes: Number(r.scale_down_idle_minutes),
  enabled: r.enabled,
});
