import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { errors, type UserRole } from '@hivesync/core';
import type { AuthContext } from './auth.types.js';

const ALGORITHM = 'HS256';
const ISSUER = 'hivesync';
const AUDIENCE = 'hivesync-api';

/**
 * Access tokens: HS256 JWTs with the algorithm pinned on verification, so `alg: none` and algorithm-confusion
 * tokens are refused. Verified tokens are remembered until they expire, so a poll costs no cryptography. Each token
 * names its session (`sid`), which AuthService checks is still open.
 */
export class AccessTokens {
  private readonly key: Uint8Array;
  private readonly verified = new Map<string, { auth: AuthContext; exp: number }>();

  constructor(
    secret: string,
    readonly ttlSeconds: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  /** A token for the user in session `sessionId`. */
  async issue(userId: string, role: UserRole, sessionId: string): Promise<string> {
    return new SignJWT({ role, sid: sessionId })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .setJti(crypto.randomUUID())
      .sign(this.key);
  }

  /** Returns who the token speaks for, or throws unauthorized / token_expired. */
  async verify(token: string): Promise<AuthContext> {
    const nowSeconds = Date.now() / 1000;
    const cached = this.verified.get(token);
    if (cached) {
      if (cached.exp > nowSeconds) return cached.auth;
      this.verified.delete(token);
      throw errors.tokenExpired();
    }
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [ALGORITHM],
        issuer: ISSUER,
        audience: AUDIENCE,
        requiredClaims: ['sub', 'exp'],
      });
      const role = payload.role === 'admin' ? 'admin' : 'user';
      const auth: AuthContext = {
        userId: String(payload.sub),
        role,
        ...(typeof payload.sid === 'string' && { sessionId: payload.sid }),
      };
      this.remember(token, auth, Number(payload.exp));
      return auth;
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw errors.tokenExpired();
      throw errors.unauthorized('The access token is not valid.');
    }
  }

  private remember(token: string, auth: AuthContext, exp: number): void {
    if (this.verified.size >= 10_000) {
      // Drop the oldest entries; a Map iterates in insertion order.
      let drop = 1000;
      for (const key of this.verified.keys()) {
        this.verified.delete(key);
        if (--drop === 0) break;
      }
    }
    this.verified.set(token, { auth, exp });
  }
}

/** The configured JWT secret, or one generated once and kept (mode 0600) in the data directory. */
export function resolveJwtSecret(configured: string | undefined, dataDir: string): string {
  if (configured) return configured;
  const file = path.join(dataDir, 'jwt-secret');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const secret = crypto.randomBytes(48).toString('base64url');
  try {
    fs.writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (err) {
    // Another process wrote it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return fs.readFileSync(file, 'utf8').trim();
    throw err;
  }
}

/** A new opaque refresh token and the hash that is stored in its place. */
export function newRefreshToken(): { token: string; hash: string } {
  const token = `hsr_${crypto.randomBytes(32).toString('base64url')}`;
  return { token, hash: hashRefreshToken(token) };
}

/** Refresh tokens are stored as SHA-256 hashes: a database leak does not leak usable tokens. */
export function hashRefreshToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}
