import type { ComponentType } from 'react';

/** The modules a preview bundle may `require`: the host app's own React and React Native. */
export type HostModules = Record<string, unknown>;

/**
 * The host's modules as a bundle asks for them. packages/bundler leaves `react`, `react/*` and `react-native`
 * external in an ios/android bundle, so the preview runs on this app's React Native (react-native-web on the web
 * export) and shares its React: hooks in the preview work because there is one React.
 */
export function hostModules(): HostModules {
  /* eslint-disable @typescript-eslint/no-require-imports -- the CommonJS module objects themselves, as require gives them */
  return {
    react: require('react'),
    'react/jsx-runtime': require('react/jsx-runtime'),
    'react/jsx-dev-runtime': require('react/jsx-dev-runtime'),
    'react-native': require('react-native'),
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** A bundle that could not be turned into a component (it threw while loading, or exports nothing to render). */
export class BundleLoadError extends Error {
  override name = 'BundleLoadError';
}

/**
 * Evaluates a CommonJS preview bundle with `modules` as the only modules it can require, and returns the component
 * it default-exports. Whatever the bundle throws while loading is thrown as is (with its stack) for the error screen.
 */
export function evaluateBundle(source: string, modules: HostModules): ComponentType {
  const module: { exports: Record<string, unknown> } = { exports: {} };
  const requireHost = (name: string): unknown => {
    if (Object.prototype.hasOwnProperty.call(modules, name)) return modules[name];
    throw new BundleLoadError(
      `The preview requires "${name}", which the HiveSync app does not provide: a bundle may use only react and react-native besides its own files.`,
    );
  };
  // The bundle is the project's code, which the user chose to run on this device (as Expo Go runs a project).
  const run = new Function('require', 'module', 'exports', `${source}\n//# sourceURL=hivesync-preview.js`) as (
    r: typeof requireHost,
    m: typeof module,
    e: Record<string, unknown>,
  ) => void;
  run(requireHost, module, module.exports);
  const exported = module.exports;
  const component = (exported.default ?? exported) as unknown;
  const renderable =
    typeof component === 'function' || (typeof component === 'object' && component !== null && '$$typeof' in component);
  if (!renderable) {
    throw new BundleLoadError('The bundle has no component to render: its entry must default-export one.');
  }
  return component as ComponentType;
}

/** Bytes as UTF-8 text (TextDecoder where the engine has one). */
export function utf8(bytes: Uint8Array): string {
  if (typeof TextDecoder !== 'undefined') return new TextDecoder('utf-8').decode(bytes);
  let out = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    out += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return decodeURIComponent(escape(out));
}

/** Lowercase hex SHA-256 where WebCrypto exists (browsers), else null (then only the size is checked). */
export async function sha256Hex(bytes: Uint8Array): Promise<string | null> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return null;
  const digest = await subtle.digest('SHA-256', bytes as unknown as ArrayBuffer);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * GETs a resolved preview's presigned URL with progress (XMLHttpRequest: React Native's fetch has no streaming
 * body), then checks the bytes against the resolved size and SHA-256.
 */
export function downloadBundle(
  resolved: { download_url: string; size: number; sha256: string },
  onProgress: (fraction: number) => void,
  xhrFactory: () => XMLHttpRequest = () => new XMLHttpRequest(),
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const xhr = xhrFactory();
    xhr.open('GET', resolved.download_url);
    xhr.responseType = 'arraybuffer';
    xhr.onprogress = (e) => onProgress(Math.min(1, e.loaded / (e.lengthComputable ? e.total : resolved.size || 1)));
    xhr.onerror = () => reject(new Error('The download of the bundle failed: the server could not be reached.'));
    xhr.onload = () => {
      if (xhr.status < 200 || xhr.status >= 300) {
        reject(new Error(`The download of the bundle failed: HTTP ${xhr.status}.`));
        return;
      }
      const bytes = new Uint8Array(xhr.response as ArrayBuffer);
      onProgress(1);
      void sha256Hex(bytes).then((sha) => {
        if (bytes.length !== resolved.size || (sha !== null && sha !== resolved.sha256.toLowerCase())) {
          reject(
            new Error(
              `The downloaded bundle is not the one the preview names (${bytes.length} bytes, expected ${resolved.size}).`,
            ),
          );
        } else resolve(bytes);
      }, reject);
    };
    xhr.send();
  });
}
