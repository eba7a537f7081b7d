import { describe, expect, it } from 'vitest';
import { blankRule, fromDraft, toDraft, validateRules } from './rules.js';

describe('the autoscaling rules form', () => {
  it('accepts a blank rule as offered, and sends empty triggers as null', () => {
    const rule = blankRule('default');
    expect(validateRules([rule])).toEqual({});
    expect(fromDraft({ ...rule, scale_up_depth: '' })).toEqual({
      pool: 'default',
      min_workers: 1,
      max_workers: 4,
      scale_up_oldest_seconds: 60,
      scale_up_depth: null,
      scale_down_idle_minutes: 10,
      enabled: true,
    });
  });

  it('round-trips a rule from the server', () => {
    const rule = {
      pool: 'gpu',
      min_workers: 0,
      max_workers: 8,
      scale_up_oldest_seconds: null,
      scale_up_depth: 100,
      scale_down_idle_minutes: 15,
      enabled: false,
    };
    expect(fromDraft(toDraft(rule))).toEqual(rule);
  });

  it('names each field that is wrong, in words', () => {
    const a = { ...blankRule('Bad Pool'), min_workers: '5', max_workers: '2', scale_down_idle_minutes: '' };
    const b = { ...blankRule('cpu'), scale_up_depth: '1.5', scale_up_oldest_seconds: '0' };
    const c = { ...blankRule('cpu') };
    const problems = validateRules([a, b, c]);
    expect(problems[a.key]).toEqual({
      pool: expect.stringMatching(/lowercase letters/),
      max_workers: 'The maximum must be at least the minimum.',
      scale_down_idle_minutes: 'Scale down after idle minutes is required.',
    });
    expect(problems[b.key]).toEqual({
      scale_up_depth: 'A whole number from 1 to 10000000, or empty for no trigger.',
      scale_up_oldest_seconds: 'A whole number from 1 to 86400, or empty for no trigger.',
    });
    expect(problems[c.key]).toEqual({ pool: 'Pool cpu has another rule: one rule per pool.' });
  });
});
