import { describe, expect, it } from 'vitest';
import { previewCsp, previewHtml } from './preview-html.js';

describe('the preview panel', () => {
  it('runs no script and loads nothing, and escapes what it shows', () => {
    expect(previewCsp('vscode-resource:', 'n0nce')).toBe(
      "default-src 'none'; style-src vscode-resource: 'nonce-n0nce'; img-src data:; script-src 'none'; form-action 'none'; base-uri 'none'",
    );
    const html = previewHtml({
      code: 'ABCD2345',
      qrSvg: '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>',
      viewerUrl: 'http://h/p/ABCD2345?<x>',
      expiresAt: 'in 15 minutes',
      platform: 'web',
      cspSource: 'vscode-resource:',
      nonce: 'n0nce',
    });
    expect(html).toContain('>ABCD-2345<');
    expect(html).toContain('Open the viewer link in a browser');
    expect(html).toContain('http://h/p/ABCD2345?&#60;x&#62;');
    expect(html).toContain('src="data:image/svg+xml;base64,');
    expect(html).not.toMatch(/<script/i);
  });
});
