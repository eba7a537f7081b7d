import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import {
  formatCode,
  formatExpiry,
  formatIn,
  formatMs,
  formatTimings,
  looksLikeCode,
  normalizeCode,
  renderQr,
  spacedCode,
} from './preview-format.js';

const plain = pc.createColors(false);
const NOW = Date.parse('2030-01-01T00:00:00.000Z');

describe('codes', () => {
  it('splits a code into halves, and spaces it out for reading aloud', () => {
    expect(formatCode('ABCD2345')).toBe('ABCD-2345');
    expect(formatCode('ABC234')).toBe('ABC-234');
    expect(formatCode('ABC')).toBe('ABC');
    expect(spacedCode('ABCD2345')).toBe('A B C D - 2 3 4 5');
  });

  it('turns what a person typed back into the code', () => {
    expect(normalizeCode('abcd-2345')).toBe('ABCD2345');
    expect(normalizeCode(' ABCD 2345 ')).toBe('ABCD2345');
    expect(normalizeCode('A B C D - 2 3 4 5')).toBe('ABCD2345');
  });

  it('tells a code from a signed token', () => {
    expect(looksLikeCode('ABCD-2345')).toBe(true);
    expect(looksLikeCode('abcd2345')).toBe(true);
    expect(looksLikeCode('eyJwIjoicDEifQ.c2lnbmF0dXJl')).toBe(false);
    expect(looksLikeCode('x'.repeat(40))).toBe(false);
  });
});

describe('times', () => {
  it('shows a step in ms under a second, else in seconds', () => {
    expect(formatMs(0.4)).toBe('0 ms');
    expect(formatMs(84.6)).toBe('85 ms');
    expect(formatMs(999)).toBe('999 ms');
    expect(formatMs(1250)).toBe('1.3 s');
    expect(formatMs(65_000)).toBe('1 min 05 s');
  });

  it('says how far off the expiry is', () => {
    expect(formatIn('2030-01-01T00:15:00.000Z', NOW)).toBe('in 15 min');
    expect(formatIn('2030-01-01T00:14:40.000Z', NOW)).toBe('in 15 min');
    expect(formatIn('2030-01-01T00:00:45.000Z', NOW)).toBe('in 45 s');
    expect(formatIn('2030-01-01T02:05:00.000Z', NOW)).toBe('in 2 h 05 min');
    expect(formatIn('2029-12-31T23:59:00.000Z', NOW)).toBe('expired');
    expect(formatExpiry('2030-01-01T00:15:00.000Z', NOW)).toBe('2030-01-01 00:15:00 UTC (in 15 min)');
  });

  it('lines up each step with its time and the bundle size', () => {
    const bundle = { size: 1_153_434, files: 3, platform: 'web' as const };
    expect(formatTimings({ build: 84.6, create: 12.2, upload: 1520, complete: 8 }, bundle, plain)).toEqual([
      'build     85 ms  1.2 MB web bundle, 3 files',
      'create    12 ms',
      'upload    1.5 s  1.2 MB',
      'complete   8 ms',
      'total     1.6 s',
    ]);
    expect(formatTimings({ build: 5, create: 7, upload: null, complete: 3 }, { ...bundle, files: 1 }, plain)).toEqual([
      'build        5 ms  1.2 MB web bundle, 1 file',
      'create       7 ms',
      'upload    skipped  the server already holds this bundle',
      'complete     3 ms',
      'total       15 ms',
    ]);
  });
});

describe('renderQr', () => {
  it('draws the compact black-on-white code on a color terminal, plain blocks elsewhere', async () => {
    const color = await renderQr('http://127.0.0.1:8080/p/ABCD2345', true);
    const text = await renderQr('http://127.0.0.1:8080/p/ABCD2345', false);

    expect(color).toContain('\u001b[47m'); // white background
    expect(text).not.toContain('\u001b[');
    expect(text).toMatch(/[█▀▄]/);
    // Square-ish: a QR code of version 2 or more has at least 25 modules a side, two rows per line.
    expect(text.split('\n').length).toBeGreaterThanOrEqual(13);
    expect(await renderQr('http://127.0.0.1:8080/p/ABCD2345', false)).toBe(text);
  });
});
