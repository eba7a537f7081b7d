import fs from 'node:fs/promises';
import path from 'node:path';

/** The desktop app's settings: which server it serves. */
export interface DesktopSettings {
  serverUrl: string;
}

/** Where a fresh install points: a server on this machine, as `npm start` runs it. */
export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

/**
 * The server URL: `--server=<url>` on the command line, else `server_url` in `<userData>/settings.json`, else
 * DEFAULT_SERVER. A value that is not an http(s) URL is refused with a message that names where it came from.
 */
export async function loadSettings(argv: readonly string[], userData: string): Promise<DesktopSettings> {
  const flag = argv.find((a) => a.startsWith('--server='))?.slice('--server='.length);
  if (flag !== undefined) return { serverUrl: checkedUrl(flag, 'the --server option') };
  const file = path.join(userData, 'settings.json');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return { serverUrl: DEFAULT_SERVER };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not JSON: fix it or delete it`);
  }
  const url = (parsed as { server_url?: unknown } | null)?.server_url;
  if (url === undefined) return { serverUrl: DEFAULT_SERVER };
  if (typeof url !== 'string') throw new Error(`server_url in ${file} must be a string`);
  return { serverUrl: checkedUrl(url, `server_url in ${file}`) };
}

function checkedUrl(value: string, where: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${where} is not a URL: ${value}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${where} must be http(s): ${value}`);
  return value.replace(/\/+$/, '');
}
