import type { Preview, PreviewPlatform } from '@hivesync/sdk';
import { projectPath } from './permalink.js';

// The code's display and its viewer link live with the shared code and QR display (packages/ui).
export { formatCode, viewerUrl } from '@hivesync/ui';

/** `/projects/:id/previews`, `/projects/:id/previews?cursor=` for the pages after the first. */
export function previewsPath(projectId: string, cursor?: string): string {
  return `${projectPath(projectId, 'previews')}${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`;
}

/** `/projects/:id/previews/:previewId`. */
export function previewPath(projectId: string, previewId: string): string {
  return `${projectPath(projectId, 'previews')}/${encodeURIComponent(previewId)}`;
}

/** Where a preview runs, as a person says it. */
export const PLATFORM_NAMES: Record<PreviewPlatform, string> = { web: 'Web', ios: 'iOS', android: 'Android' };

/** A span of time in words: "45 s", "12 min", "2 h 05 min", "3 days". */
export function spanInWords(ms: number): string {
  const s = Math.max(0, Math.round(Math.abs(ms) / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  if (min < 48 * 60) return `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')} min`;
  return `${Math.round(min / (24 * 60))} days`;
}

/** A countdown in words, to the second: "14 min 05 s", "45 s", "2 h 05 min". */
export function countdownInWords(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return spanInWords(ms);
}

/** How far a time is from `now`, in words: "in 12 min" or "12 min ago". */
export function relativeInWords(iso: string, now: number): string {
  const diff = Date.parse(iso) - now;
  return diff >= 0 ? `in ${spanInWords(diff)}` : `${spanInWords(diff)} ago`;
}

/** Whether the preview can no longer be opened because its time is over (the cleanup may not have marked it yet). */
export function isExpired(p: Pick<Preview, 'status' | 'expires_at'>, now: number): boolean {
  return p.status === 'expired' || p.status === 'deleted' || Date.parse(p.expires_at) <= now;
}

/** The state of a preview for people: a short label and a sentence; `usable` when its code still opens it. */
export function statusInWords(
  p: Pick<Preview, 'status' | 'expires_at' | 'error'>,
  now: number,
): { label: string; sentence: string; usable: boolean; tone: 'ok' | 'waiting' | 'done' | 'bad' } {
  if (p.status === 'failed') {
    return {
      label: 'Failed',
      sentence: p.error ? `The build failed: ${p.error.message}` : 'The build failed; the worker gave no reason.',
      usable: false,
      tone: 'bad',
    };
  }
  if (p.status === 'consumed') {
    return { label: 'Opened', sentence: 'The code was used: each preview opens once.', usable: false, tone: 'done' };
  }
  if (p.status === 'deleted') {
    return {
      label: 'Expired',
      sentence: 'The preview expired and its bundle was deleted.',
      usable: false,
      tone: 'done',
    };
  }
  if (isExpired(p, now)) {
    return {
      label: 'Expired',
      sentence: `The preview expired ${relativeInWords(p.expires_at, now)}: its code no longer opens it.`,
      usable: false,
      tone: 'done',
    };
  }
  if (p.status === 'pending_upload') {
    return {
      label: 'Waiting for upload',
      sentence: 'The bundle has not been uploaded and checked yet.',
      usable: false,
      tone: 'waiting',
    };
  }
  return {
    label: 'Ready',
    sentence: 'The code opens it once, on the platform it was made for.',
    usable: true,
    tone: 'ok',
  };
}
