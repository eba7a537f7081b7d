import { describe, expect, it } from 'vitest';
import { ANALYTICS_BUCKETS, ANALYTICS_RANGES, bucketOf, bucketsFor, rangeQuery } from './admin.js';

describe('analytics windows', () => {
  it('offers only buckets shorter than the range and within the server’s 2,000 per answer', () => {
    expect(bucketsFor('1h')).toEqual(['1m', '5m', '15m']);
    expect(bucketsFor('24h')).toEqual(['1m', '5m', '15m', '1h', '6h']);
    expect(bucketsFor('7d')).toEqual(['15m', '1h', '6h', '1d']);
    expect(bucketsFor('30d')).toEqual(['1h', '6h', '1d']);
    expect(bucketsFor('90d')).toEqual(['6h', '1d']);
    expect(bucketsFor('365d')).toEqual(['6h', '1d']);
    for (const [name, range] of Object.entries(ANALYTICS_RANGES)) {
      expect(bucketsFor(name as keyof typeof ANALYTICS_RANGES)).toContain(range.bucket);
    }
  });

  it('keeps a bucket from the address only when it suits the range', () => {
    expect(bucketOf('7d', '1h')).toBe('1h');
    expect(bucketOf('7d', '1m')).toBe('6h'); // 10,080 buckets: the range's default instead
    expect(bucketOf('1h', '1d')).toBe('5m');
    expect(bucketOf('24h', null)).toBe('1h');
    expect(bucketOf('24h', 'constructor')).toBe('1h');
  });

  it('asks for the range ending at the next minute, with the chosen bucket', () => {
    const now = Date.parse('2026-12-02T10:15:30Z');
    expect(rangeQuery('24h', now, '15m')).toEqual({
      from: '2026-12-01T10:16:00.000Z',
      to: '2026-12-02T10:16:00.000Z',
      bucket: '15m',
    });
    expect(rangeQuery('7d', now).bucket).toBe('6h');
    expect(Object.keys(ANALYTICS_BUCKETS)).toContain(rangeQuery('30d', now).bucket);
  });
});
