import crypto from 'node:crypto';

/** How long a launch token may wait to be opened. */
export const LAUNCH_TTL_MS = 60_000;
/** The most launch tokens and cookies held at once (the oldest go first); a desktop app needs a handful. */
const MAX_HELD = 64;

const digest = (value: string) => crypto.createHash('sha256').update(value).digest('hex');

/**
 * The desktop renderer's access to the agent without the bearer token: one-time launch tokens (handed to the
 * desktop's main process, which opens the launch URL) exchanged for a cookie value. Only hashes are kept, in memory:
 * an agent that restarts forgets them all, and the renderer gets a new launch URL.
 */
export class UiAccess {
  private readonly launches = new Map<string, number>();
  private readonly cookies = new Set<string>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A new one-time launch token, valid for LAUNCH_TTL_MS. */
  newLaunchToken(): string {
    const token = crypto.randomBytes(32).toString('base64url');
    this.prune();
    this.launches.set(digest(token), this.now() + LAUNCH_TTL_MS);
    trim(this.launches);
    return token;
  }

  /**
   * Spends a launch token: a new cookie value when it is known and not expired, else undefined. A token works once;
   * a second use is refused even within its lifetime.
   */
  exchange(launchToken: string): string | undefined {
    const key = digest(launchToken);
    const expires = this.launches.get(key);
    this.launches.delete(key);
    if (expires === undefined || expires < this.now()) return undefined;
    const cookie = crypto.randomBytes(32).toString('base64url');
    this.cookies.add(digest(cookie));
    if (this.cookies.size > MAX_HELD) this.cookies.delete(this.cookies.values().next().value!);
    return cookie;
  }

  /** Whether a cookie value is one this agent handed out. */
  validCookie(value: string | undefined): boolean {
    return value !== undefined && value !== '' && this.cookies.has(digest(value));
  }

  private prune(): void {
    const now = this.now();
    for (const [key, expires] of this.launches) if (expires < now) this.launches.delete(key);
  }
}

function trim(map: Map<string, number>): void {
  while (map.size > MAX_HELD) map.delete(map.keys().next().value!);
}
