import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const inCi = process.env.CI === 'true' || process.env.CI === '1';

/** A small tmpfs mounted for a test; `unmount` is safe to call more than once. */
export interface Tmpfs {
  dir: string;
  /** Bytes in use on the filesystem. */
  used(): number;
  unmount(): void;
}

/**
 * Mounts a tmpfs of `sizeBytes` on `dir` (created if missing), so a test can fill a real filesystem. Needs root and a
 * kernel that lets this process mount (CI runs as root on such a machine). Where mounting is not possible: in CI
 * (`CI=true`) this throws, so a disk-full test never passes by not running; elsewhere it returns the reason, and the
 * caller skips with one line.
 */
export function mountTmpfs(dir: string, sizeBytes: number): Tmpfs | { unavailable: string } {
  fs.mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0700`, 'tmpfs', dir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (err) {
    const reason = `cannot mount a tmpfs here (${(err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message})`;
    if (inCi) throw new Error(`CI must be able to mount a tmpfs for the disk-full tests: ${reason}`);
    return { unavailable: reason };
  }
  let mounted = true;
  return {
    dir,
    used() {
      const s = fs.statfsSync(dir);
      return (s.blocks - s.bfree) * s.bsize;
    },
    unmount() {
      if (!mounted) return;
      try {
        execFileSync('umount', [dir], { stdio: 'ignore' });
      } catch {
        // Something still holds a file there: detach now, the kernel frees it when the last one closes.
        execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      }
      mounted = false;
    },
  };
}

/** Every file under `dir`, relative to it. */
export function filesUnder(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => `${e.parentPath.slice(dir.length + 1)}/${e.name}`.replace(/^\//, ''));
}
