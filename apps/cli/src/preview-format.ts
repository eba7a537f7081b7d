import type { PreviewPlatform } from '@hivesync/core';
import QRCode from 'qrcode';
import { formatBytes, formatDuration, plural, type Colors } from './output.js';

/** How long each step of `hivesync preview` took, in milliseconds; `upload` is null when it was skipped. */
export interface PreviewTimings {
  build: number;
  create: number;
  upload: number | null;
  complete: number;
}

/** A code as people read it: `ABCD-2345` (halves of an even-length code, joined by a dash). */
export function formatCode(code: string): string {
  if (code.length < 6 || code.length % 2 !== 0) return code;
  return `${code.slice(0, code.length / 2)}-${code.slice(code.length / 2)}`;
}

/** A code to read across a room and type on a phone: `A B C D - 2 3 4 5`. */
export function spacedCode(code: string): string {
  return formatCode(code).split('').join(' ');
}

/**
 * What a person types back into the API: spaces and dashes dropped, upper case (codes use one case and no
 * look-alike letters, so `abcd-2345` and `ABCD 2345` mean `ABCD2345`).
 */
export function normalizeCode(input: string): string {
  return input.replace(/[\s-]+/g, '').toUpperCase();
}

/** Whether `preview open` was given a code (short, letters and digits) rather than a signed token. */
export function looksLikeCode(input: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9\s-]{0,31}$/.test(input.trim());
}

/** A step's time: "85 ms" under a second, else like formatDuration ("1.2 s"). */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.max(0, Math.round(ms))} ms` : formatDuration(ms);
}

/** How far away a time is: "in 15 min", "in 45 s", "in 2 h 05 min", or "expired". */
export function formatIn(iso: string, now = Date.now()): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const s = Math.round((at - now) / 1000);
  if (s <= 0) return 'expired';
  if (s < 60) return `in ${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `in ${min} min`;
  return `in ${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')} min`;
}

/** An expiry for people: "2030-01-01 00:15:00 UTC (in 15 min)". */
export function formatExpiry(iso: string, now = Date.now()): string {
  const at = Date.parse(iso);
  const absolute = Number.isNaN(at) ? iso : `${new Date(at).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  return `${absolute} (${formatIn(iso, now)})`;
}

/** What the step lines say about the bundle. */
export interface BundleSummary {
  size: number;
  files: number;
  platform: PreviewPlatform;
}

/**
 * One aligned line per step: its time, and for the build the bundle's size, e.g.
 * `build     85 ms  1.1 MB web bundle, 3 files`.
 */
export function formatTimings(t: PreviewTimings, bundle: BundleSummary, c: Colors): string[] {
  const files = plural(bundle.files, 'file');
  const rows: [string, string, string][] = [
    ['build', formatMs(t.build), `${formatBytes(bundle.size)} ${bundle.platform} bundle, ${files}`],
    ['create', formatMs(t.create), ''],
    t.upload === null
      ? ['upload', 'skipped', 'the server already holds this bundle']
      : ['upload', formatMs(t.upload), formatBytes(bundle.size)],
    ['complete', formatMs(t.complete), ''],
  ];
  const total = t.build + t.create + (t.upload ?? 0) + t.complete;
  rows.push(['total', formatMs(total), '']);
  const timeWidth = Math.max(...rows.map((r) => r[1].length));
  return rows.map(([step, time, note]) =>
    `${c.dim(step.padEnd(8))}  ${time.padStart(timeWidth)}${note ? `  ${c.dim(note)}` : ''}`.trimEnd(),
  );
}

/**
 * A QR code of `text` for a terminal. With colors, the compact renderer (half blocks, black on white whatever the
 * terminal's theme); without (a pipe, NO_COLOR), plain half blocks with no escape codes.
 */
export async function renderQr(text: string, colors: boolean): Promise<string> {
  const qr = colors
    ? await QRCode.toString(text, { type: 'terminal', small: true })
    : await QRCode.toString(text, { type: 'utf8' });
  return qr.replace(/\n+$/, '');
}
