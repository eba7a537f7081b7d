/** What the user typed or scanned, as the resolve route takes it. */
export type PreviewInput = { code: string } | { token: string };

// Codes are printed as XXXX-XXXX; people type them with spaces, dashes and in lower case.
const CODE = /^[A-Z0-9]{4,32}$/;

/**
 * Reads a typed code (`ab12-cd34`), a scanned QR (the server's `…/p/<code>` link) or a pasted token. Returns null for
 * text that is none of them.
 */
export function parsePreviewInput(text: string): PreviewInput | null {
  const raw = text.trim();
  if (raw === '') return null;
  const link = /\/p\/([A-Za-z0-9-]+)\/?(?:[?#].*)?$/.exec(raw);
  if (link) return parsePreviewInput(link[1]!);
  const code = raw.replace(/[\s-]/g, '').toUpperCase();
  if (CODE.test(code) && code.length <= 12) return { code };
  if (/^[A-Za-z0-9._~+/=-]{20,2048}$/.test(raw)) return { token: raw };
  return null;
}

/** `ABCD1234` → `ABCD-1234`, as the web app and the CLI print it. */
export function formatCode(code: string): string {
  return code.length === 8 ? `${code.slice(0, 4)}-${code.slice(4)}` : code;
}
