import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import QRCode from 'qrcode';
import type { HiveSyncClient, Preview } from '../../packages/sdk/src/index.js';
import { signWorkerCallback } from '../../apps/server/src/modules/previews/worker-signature.js';
import { webSession, type WebSession } from './web.js';

// pngjs comes with qrcode (the CLI's QR library) and has no types of its own: the little of it used here.
const { PNG } = createRequire(import.meta.url)('pngjs') as {
  PNG: { sync: { read(png: Buffer): { width: number; height: number; data: Buffer } } };
};

/** The build workers' secret of the server `previewWebSession` starts (so a test can report a failed build). */
export const WORKER_SECRET = 'web-previews-e2e-worker-secret-0123456789';

/**
 * As tests/support/web.ts's webSession (express clone, built server, Chromium, a watched page with the clipboard), with
 * the server's WORKER_SHARED_SECRET set so that the test can sign a build worker's callback.
 */
export function previewWebSession(name: string): WebSession {
  return webSession(name, {
    env: { WORKER_SHARED_SECRET: WORKER_SECRET },
    permissions: ['clipboard-read', 'clipboard-write'],
  });
}

/** Publishes `bytes` as a preview through the SDK, as `hivesync preview` does: create, upload, complete. */
export async function publishPreview(
  client: HiveSyncClient,
  projectId: string,
  platform: Preview['platform'],
  bytes: Uint8Array,
): Promise<{ preview: Preview; code: string }> {
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  const created = await client.previews.create({ project_id: projectId, platform, sha256, size: bytes.length });
  if (created.upload_required) await client.previews.upload(created, bytes);
  const preview = await client.previews.complete(created.preview_id, { sha256, size: bytes.length });
  return { preview, code: created.code };
}

/** Reports a failed build of a pending preview, signed as a build worker would. */
export async function reportFailedBuild(
  serverUrl: string,
  previewId: string,
  error: { code: string; message: string },
): Promise<Response> {
  const body = JSON.stringify({ status: 'failed', error });
  return fetch(`${serverUrl}/api/v1/internal/jobs/${previewId}/callback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signWorkerCallback(WORKER_SECRET, body) },
    body,
  });
}

/**
 * Reads the QR code drawn at `selector` back from a PNG screenshot of it: each module's centre pixel, dark or
 * light, inside the quiet zone of `margin` modules. Returns the modules as rows of 0/1.
 */
export async function readQrModules(page: Page, selector: string, margin: number): Promise<number[][]> {
  const png = PNG.sync.read(await page.locator(selector).screenshot());
  const dark = (x: number, y: number) => {
    const i = (png.width * Math.floor(y) + Math.floor(x)) * 4;
    return png.data[i]! + png.data[i + 1]! + png.data[i + 2]! < 384;
  };
  // The finder pattern's top row is 7 dark modules: a first guess at a module's size in pixels.
  let top = 0;
  while (top < png.height && ![...Array(png.width).keys()].some((x) => dark(x, top))) top++;
  let left = 0;
  while (left < png.width && !dark(left, top + 1)) left++;
  let run = 0;
  while (dark(left + run, top + 1)) run++;
  // A QR code is 17 + 4 × version modules a side: snap the guess to that, then measure from the image's width.
  const guess = Math.round(png.width / (run / 7)) - 2 * margin;
  const side = 17 + 4 * Math.max(1, Math.round((guess - 17) / 4));
  const cell = png.width / (side + 2 * margin);
  const rows: number[][] = [];
  for (let r = 0; r < side; r++) {
    const row: number[] = [];
    for (let c = 0; c < side; c++) row.push(dark((margin + c + 0.5) * cell, (margin + r + 0.5) * cell) ? 1 : 0);
    rows.push(row);
  }
  return rows;
}

/**
 * Which text a QR matrix encodes, among `candidates`: the one whose matrix the `qrcode` package draws identically at
 * `level` (any mask; encoders may choose masks differently). Undefined when none matches module for module.
 */
export function qrTextOf(modules: number[][], candidates: string[], level: 'L' | 'M' | 'Q' | 'H'): string | undefined {
  for (const text of candidates) {
    for (let mask = 0; mask < 8; mask++) {
      // One byte segment, as qrcode.react encodes a URL (the qrcode package would otherwise mix segment modes).
      const qr = QRCode.create([{ data: Buffer.from(text, 'utf8'), mode: 'byte' }], {
        errorCorrectionLevel: level,
        maskPattern: mask as QRCode.QRCodeMaskPattern,
      });
      const size = qr.modules.size;
      if (size !== modules.length) continue;
      let same = true;
      for (let r = 0; r < size && same; r++)
        for (let c = 0; c < size && same; c++) same = (qr.modules.get(r, c) ? 1 : 0) === modules[r]![c];
      if (same) return text;
    }
  }
  return undefined;
}
