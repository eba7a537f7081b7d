/** The preview panel's HTML: the code in large letters, its QR code, the expiry; a strict CSP, no script at all. */
export interface PreviewPage {
  code: string;
  /** The QR code as an SVG document (from the qrcode package). */
  qrSvg: string;
  viewerUrl: string;
  expiresAt: string;
  platform: string;
  /** The webview's `cspSource`, allowed for styles. */
  cspSource: string;
  nonce: string;
}

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The Content-Security-Policy of the panel: nothing loads, nothing runs; only its own inline style. */
export function previewCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource} 'nonce-${nonce}'`,
    'img-src data:',
    "script-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** A code split in two halves for reading and typing, ABCD2345 → ABCD-2345, as the CLI shows it. */
export function spacedCode(code: string): string {
  if (code.length < 6 || code.length % 2 !== 0) return code;
  return `${code.slice(0, code.length / 2)}-${code.slice(code.length / 2)}`;
}

/** The whole HTML document of the preview panel. */
export function previewHtml(page: PreviewPage): string {
  const svg = page.qrSvg.replace(/^<\?xml[^>]*>\s*/, '');
  const qr = `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(previewCsp(page.cspSource, page.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>HiveSync preview</title>
<style nonce="${escapeHtml(page.nonce)}">
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 1.5rem; }
.code { font: 600 2.5rem/1.2 var(--vscode-editor-font-family, monospace); letter-spacing: .15em; margin: .5rem 0 1rem; }
.qr { background: #fff; padding: 12px; width: 220px; height: 220px; }
.muted { color: var(--vscode-descriptionForeground); }
</style>
</head>
<body>
<h1>Preview ready</h1>
<p class="muted">${
    page.platform === 'web'
      ? 'Open the viewer link in a browser and type this code, or scan the QR code with a phone.'
      : `Type this code in the HiveSync app on an ${page.platform === 'ios' ? 'iOS' : 'Android'} device, or scan the QR code.`
  }</p>
<p class="code" data-testid="preview-code">${escapeHtml(spacedCode(page.code))}</p>
<img class="qr" alt="QR code of the preview" src="${qr}">
<p>Viewer: <code>${escapeHtml(page.viewerUrl)}</code></p>
<p class="muted">Expires ${escapeHtml(page.expiresAt)}.</p>
</body>
</html>`;
}
