import crypto from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { PREVIEW_CODE_ALPHABET, PREVIEW_CODE_LENGTH } from '@hivesync/core';

/** What a preview token says: which preview, of which project, with which bundle, until when. */
export interface PreviewClaims {
  previewId: string;
  projectId: string;
  bundleSha256: string | null;
  expiresAt: Date;
}

const TYPE = 'hivesync-preview';

/**
 * Preview tokens: signed and self-verifying (HS256 JWTs with a key of their own), so a forged, altered or expired
 * token is refused without a database read. Single use is enforced at resolution, in the database.
 */
export class PreviewTokens {
  private readonly key: Uint8Array;

  constructor(secret: Buffer) {
    this.key = new Uint8Array(secret);
  }

  sign(c: PreviewClaims): Promise<string> {
    return new SignJWT({ prj: c.projectId, bh: c.bundleSha256 })
      .setProtectedHeader({ alg: 'HS256', typ: TYPE })
      .setSubject(c.previewId)
      .setExpirationTime(Math.floor(c.expiresAt.getTime() / 1000))
      .sign(this.key);
  }

  /** The claims of a valid token; 'expired' for a genuine but expired one; undefined for anything forged. */
  async verify(token: string): Promise<PreviewClaims | 'expired' | undefined> {
    try {
      const { payload, protectedHeader } = await jwtVerify(token, this.key, { algorithms: ['HS256'], typ: TYPE });
      if (protectedHeader.typ !== TYPE || typeof payload.sub !== 'string' || typeof payload.prj !== 'string')
        return undefined;
      return {
        previewId: payload.sub,
        projectId: payload.prj,
        bundleSha256: typeof payload.bh === 'string' ? payload.bh : null,
        expiresAt: new Date(Number(payload.exp) * 1000),
      };
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) return 'expired';
      return undefined;
    }
  }
}

/** A new code of PREVIEW_CODE_LENGTH characters from the look-alike-free alphabet, uniformly random. */
export function newPreviewCode(): string {
  let code = '';
  while (code.length < PREVIEW_CODE_LENGTH) {
    // Rejection sampling keeps every character equally likely (256 is not a multiple of the alphabet size).
    const byte = crypto.randomBytes(1)[0]!;
    const limit = 256 - (256 % PREVIEW_CODE_ALPHABET.length);
    if (byte < limit) code += PREVIEW_CODE_ALPHABET[byte % PREVIEW_CODE_ALPHABET.length];
  }
  return code;
}

/** A code as a person typed it (any case, dashes or spaces), normalized; undefined when it cannot be a code. */
export function normalizeCode(input: string): string | undefined {
  const code = input.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== PREVIEW_CODE_LENGTH) return undefined;
  for (const ch of code) if (!PREVIEW_CODE_ALPHABET.includes(ch)) return undefined;
  return code;
}
