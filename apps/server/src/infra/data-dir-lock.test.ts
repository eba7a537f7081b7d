import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/harness.js';
import { acquireDataDirLock, DataDirLockedError } from './data-dir-lock.js';

describe('acquireDataDirLock', () => {
  it('refuses a second holder while the first holds the directory', () => {
    const { dir, remove } = tempDir();
    const release = acquireDataDirLock(dir);
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
    release();
    acquireDataDirLock(dir)();
    remove();
  });

  it('takes over a lock left by a process that died', () => {
    const { dir, remove } = tempDir();
    // A pid that cannot be alive: above the kernel's pid_max.
    fs.writeFileSync(path.join(dir, 'hivesync.lock'), '99999999');
    const release = acquireDataDirLock(dir);
    expect(fs.readFileSync(path.join(dir, 'hivesync.lock'), 'utf8')).toBe(String(process.pid));
    release();
    remove();
  });
});
