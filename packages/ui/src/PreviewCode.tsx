import { useState } from 'react';
import { QRCodeSVG } from 'qrcode.react';
import { formatCode } from './preview-format.js';
import './preview-code.css';

/** The QR code's error correction: M survives a scratched or dim screen and keeps a /p/ link small (version 3). */
export const QR_LEVEL = 'M';

/** A preview's short code in large letters with a copy button; the result of copying is announced. */
export function PreviewCodeBlock({ code, usable }: { code: string; usable: boolean }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(code);
      setCopied(`Code ${formatCode(code)} copied.`);
    } catch {
      setCopied(`Copying failed: select the code and copy it yourself.`);
    }
  };
  return (
    <div className="preview-code-block">
      <p className={`preview-code${usable ? '' : ' spent'}`} data-testid="preview-code">
        <span className="visually-hidden">Code: </span>
        {formatCode(code)}
      </p>
      <button type="button" onClick={() => void copy()}>
        Copy code
      </button>
      <p className="small muted" aria-live="polite">
        {copied}
      </p>
    </div>
  );
}

/** The QR code of the link a phone opens (dark on white in both themes, for scanners), with what to do with it. */
export function PreviewQr({ link, caption = 'Scan to open it on a phone.' }: { link: string; caption?: string }) {
  return (
    <figure className="preview-qr">
      <QRCodeSVG
        value={link}
        level={QR_LEVEL}
        boostLevel={false}
        marginSize={4}
        size={200}
        title={`QR code of ${link}`}
        aria-label={`QR code of ${link}`}
        data-testid="preview-qr"
      />
      <figcaption className="small">{caption}</figcaption>
    </figure>
  );
}
