import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVER, loadSettings } from './settings.js';

describe('the desktop settings', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-desktop-settings-'));
  const write = (text: string) => fs.writeFileSync(path.join(dir, 'settings.json'), text);

  it('takes --server first, then settings.json, then the default', async () => {
    expect(await loadSettings([], path.join(dir, 'none'))).toEqual({ serverUrl: DEFAULT_SERVER });
    write('{"server_url": "https://hivesync.example.com/"}');
    expect(await loadSettings(['electron', '.'], dir)).toEqual({ serverUrl: 'https://hivesync.example.com' });
    expect(await loadSettings(['--server=http://10.0.0.2:8080'], dir)).toEqual({ serverUrl: 'http://10.0.0.2:8080' });
  });

  it('says what is wrong and where', async () => {
    await expect(loadSettings(['--server=ftp://x'], dir)).rejects.toThrow('the --server option must be http(s)');
    write('{"server_url": 8080}');
    await expect(loadSettings([], dir)).rejects.toThrow(/server_url in .*settings\.json must be a string/);
    write('not json');
    await expect(loadSettings([], dir)).rejects.toThrow(/settings\.json is not JSON/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
