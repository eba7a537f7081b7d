import { describe, expect, it } from 'vitest';
import {
  countdownInWords,
  formatCode,
  isExpired,
  previewPath,
  previewsPath,
  relativeInWords,
  statusInWords,
  viewerUrl,
} from './previews.js';

const NOW = Date.parse('2030-01-01T12:00:00Z');
const at = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();

describe('preview words', () => {
  it('splits a code in two halves and builds the /p/ address of this server', () => {
    expect(formatCode('ABCD2345')).toBe('ABCD-2345');
    expect(formatCode('ABC')).toBe('ABC');
    expect(viewerUrl('http://localhost:8080/', 'ABCD2345')).toBe('http://localhost:8080/p/ABCD2345');
    expect(previewsPath('p 1')).toBe('/projects/p%201/previews');
    expect(previewsPath('p1', 'a_b-c')).toBe('/projects/p1/previews?cursor=a_b-c');
    expect(previewPath('p1', 'x/y')).toBe('/projects/p1/previews/x%2Fy');
  });

  it('says how far a time is, and counts down to the second', () => {
    expect(relativeInWords(at(12 * 60_000), NOW)).toBe('in 12 min');
    expect(relativeInWords(at(-45_000), NOW)).toBe('45 s ago');
    expect(relativeInWords(at(-(2 * 3600 + 5 * 60) * 1000), NOW)).toBe('2 h 05 min ago');
    expect(relativeInWords(at(-3 * 86_400_000), NOW)).toBe('3 days ago');
    expect(countdownInWords((14 * 60 + 5) * 1000 + 999)).toBe('14 min 05 s');
    expect(countdownInWords(45_500)).toBe('45 s');
  });

  it('tells each state in words, and a preview past its time as expired before the cleanup marks it', () => {
    const live = { expires_at: at(60_000), error: null };
    expect(statusInWords({ ...live, status: 'ready' }, NOW)).toMatchObject({ label: 'Ready', usable: true });
    expect(statusInWords({ ...live, status: 'pending_upload' }, NOW)).toMatchObject({
      label: 'Waiting for upload',
      usable: false,
    });
    expect(statusInWords({ ...live, status: 'consumed' }, NOW).label).toBe('Opened');
    const past = { status: 'ready' as const, expires_at: at(-5 * 60_000), error: null };
    expect(isExpired(past, NOW)).toBe(true);
    expect(statusInWords(past, NOW)).toEqual({
      label: 'Expired',
      sentence: 'The preview expired 5 min ago: its code no longer opens it.',
      usable: false,
      tone: 'done',
    });
    expect(
      statusInWords({ ...live, status: 'failed', error: { code: 'build_failed', message: 'Syntax error' } }, NOW)
        .sentence,
    ).toBe('The build failed: Syntax error');
    expect(statusInWords({ ...live, status: 'failed' }, NOW).sentence).toBe(
      'The build failed; the worker gave no reason.',
    );
  });
});
