import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { buildBundle, BundleError, type Bundle } from './index.js';

const require = createRequire(import.meta.url);
const PREVIEW_APP = fileURLToPath(new URL('../../../tests/fixtures/preview-app', import.meta.url));

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => fs.rm(d, { recursive: true, force: true })));
});

/** Writes `files` (relative path → text) into a fresh temp dir and returns it. */
async function project(files: Record<string, string>): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hivesync-bundler-'));
  dirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await fs.writeFile(path.join(dir, rel), text);
  }
  return dir;
}

const APP = {
  'App.tsx': [
    `import { useState } from 'react';`,
    `import { Greeting } from './components/Greeting';`,
    `import { shout } from './util';`,
    '',
    'export default function App() {',
    '  const [n, setN] = useState(0);',
    '  return (',
    '    <div>',
    `      <Greeting name={shout('tester')} />`,
    '      <button onClick={() => setN(n + 1)}>pressed {n}</button>',
    '    </div>',
    '  );',
    '}',
    '',
  ].join('\n'),
  'components/Greeting.tsx': [
    'export function Greeting({ name }: { name: string }) {',
    '  return <h1>Greetings, {name}: made with the test app</h1>;',
    '}',
    '',
  ].join('\n'),
  'util.ts': 'export const shout = (s: string): string => `${s.toUpperCase()}!`;\n',
};

/** The inline scripts of an HTML document, and whether any script loads a file. */
function scripts(html: string): { inline: string[]; external: boolean } {
  const tags = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/gi)];
  return { inline: tags.map((m) => m[2]!), external: tags.some((m) => /\bsrc\s*=/.test(m[1]!)) };
}

const sha256 = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

/**
 * Runs a native bundle the way a host app does: CommonJS, with the host's React and a stand-in React Native whose
 * components are DOM tags, then renders its default export to static markup.
 */
function renderNative(bundle: Bundle): string {
  const React = require('react') as { createElement: (type: unknown) => unknown };
  const server = require('react-dom/server') as { renderToStaticMarkup: (el: unknown) => string };
  const host: Record<string, unknown> = {
    react: React,
    'react/jsx-runtime': require('react/jsx-runtime'),
    'react-native': { Text: 'span', View: 'div', Platform: { OS: 'ios' } },
  };
  const module = { exports: {} as { default?: unknown } };
  const fakeRequire = (id: string) => {
    if (!(id in host)) throw new Error(`the bundle required ${id}`);
    return host[id];
  };
  vm.runInThisContext(`(function (require, module, exports) {${bundle.bytes.toString()}\n})`)(
    fakeRequire,
    module,
    module.exports,
  );
  return server.renderToStaticMarkup(React.createElement(module.exports.default));
}

describe('web', () => {
  it('builds a React app into one HTML document that inlines its script and renders App into #root', async () => {
    const dir = await project(APP);
    const bundle = await buildBundle({ dir, platform: 'web' });
    const html = bundle.bytes.toString('utf8');

    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<div id="root"></div>');
    expect(html).toContain('made with the test app');
    expect(html).toContain('toUpperCase');
    const { inline, external } = scripts(html);
    expect(external).toBe(false);
    expect(html).not.toMatch(/<link[^>]+href/);
    // The generated entry mounts the default export; the script is valid JavaScript.
    const app = inline.at(-1)!;
    expect(app).toContain('createRoot');
    expect(app).toContain('getElementById("root")');
    expect(() => new vm.Script(app)).not.toThrow();
    expect(bundle).toMatchObject({ size: bundle.bytes.length, sha256: sha256(bundle.bytes) });
    expect(bundle.contentType).toBe('text/html; charset=utf-8');
  });

  it('lists the project files in the manifest with their sizes and hashes, not node_modules', async () => {
    const dir = await project(APP);
    const { manifest } = await buildBundle({ dir, platform: 'web' });

    expect(manifest.entry).toBe('App.tsx');
    expect(manifest.platform).toBe('web');
    expect(manifest.files).toEqual(
      Object.entries(APP)
        .map(([p, text]) => ({ path: p, size: Buffer.byteLength(text), sha256: sha256(Buffer.from(text)) }))
        .sort((a, b) => a.path.localeCompare(b.path)),
    );
    expect(Number.isNaN(Date.parse(manifest.builtAt))).toBe(false);
  });

  it('leaves an entry that renders itself alone', async () => {
    const dir = await project({
      'index.tsx': [
        `import { createRoot } from 'react-dom/client';`,
        `createRoot(document.getElementById('root')!).render(<p>rendered by index</p>);`,
        '',
      ].join('\n'),
    });
    const bundle = await buildBundle({ dir, platform: 'web' });
    const app = scripts(bundle.bytes.toString()).inline.at(-1)!;

    expect(bundle.manifest.entry).toBe('index.tsx');
    expect(app).toContain('rendered by index');
    expect(app.match(/getElementById\("root"\)/g)).toHaveLength(1); // its own call, no generated one
  });

  it("uses the project's own node_modules/react when it has one", async () => {
    const dir = await project({
      ...APP,
      'node_modules/react/package.json': '{"name":"react","version":"18.3.1","main":"index.js"}',
      'node_modules/react/index.js': `module.exports = require('${require.resolve('react').replaceAll('\\', '/')}'); module.exports.marker = 'PROJECT_REACT_COPY';\n`,
      'node_modules/react/jsx-runtime.js': `module.exports = require('${require.resolve('react/jsx-runtime').replaceAll('\\', '/')}');\n`,
    });
    const bundle = await buildBundle({ dir, platform: 'web' });

    expect(bundle.bytes.toString()).toContain('PROJECT_REACT_COPY');
    expect(bundle.manifest.files.map((f) => f.path)).toEqual(['App.tsx', 'components/Greeting.tsx', 'util.ts']);
  });

  it('inlines imported CSS and images', async () => {
    const dir = await project({
      'App.jsx': [
        `import './app.css';`,
        `import logo from './logo.svg';`,
        'export default function App() { return <img alt="logo" src={logo} />; }',
        '',
      ].join('\n'),
      'app.css': '.title { color: rebeccapurple; }\n',
      'logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
    });
    const bundle = await buildBundle({ dir, platform: 'web' });
    const html = bundle.bytes.toString();

    expect(html).toMatch(/<style>[\s\S]*rebeccapurple[\s\S]*<\/style>/);
    expect(html).toContain('data:image/svg+xml');
    expect(bundle.manifest.files.map((f) => f.path)).toEqual(['App.jsx', 'app.css', 'logo.svg']);
  });

  it('escapes </script inside the inlined script', async () => {
    const dir = await project({
      'App.jsx': `export default function App() { return <pre>{'</script><script>alert(1)</script>'}</pre>; }\n`,
    });
    const html = (await buildBundle({ dir, platform: 'web' })).bytes.toString();
    const { inline } = scripts(html);

    expect(html.match(/<\/script>/gi)).toHaveLength(2); // the overlay's and the app's, nothing from the string
    expect(inline.at(-1)).toContain('<\\/script>');
    expect(() => new vm.Script(inline.at(-1)!)).not.toThrow();
  });

  it('minifies and builds React in production mode with minify', async () => {
    const dir = await project(APP);
    const dev = await buildBundle({ dir, platform: 'web' });
    const prod = await buildBundle({ dir, platform: 'web', minify: true });

    expect(prod.size).toBeLessThan(dev.size / 3);
    expect(dev.bytes.toString()).toContain('react-dom.development');
    expect(prod.bytes.toString()).not.toContain('react-dom.development');
  });

  it('builds the shared preview-app fixture', async () => {
    const bundle = await buildBundle({ dir: PREVIEW_APP, platform: 'web' });

    expect(bundle.bytes.toString()).toContain('Hello from HiveSync');
    expect(bundle.manifest.entry).toBe('App.tsx');
    expect(bundle.manifest.files.map((f) => f.path)).toEqual(['App.tsx', 'components/Counter.tsx', 'format.ts']);
  });
});

describe('ios and android', () => {
  it('builds one CommonJS file that requires react and react-native from the host', async () => {
    const dir = await project({
      'App.tsx': [
        `import { Text, View } from 'react-native';`,
        `import { shout } from './util';`,
        'export default function App() {',
        '  return <View><Text>{shout("native")} hello</Text></View>;',
        '}',
        '',
      ].join('\n'),
      'util.ts': APP['util.ts'],
    });
    const bundle = await buildBundle({ dir, platform: 'ios' });
    const code = bundle.bytes.toString();

    expect(bundle.contentType).toBe('application/javascript');
    expect(code).toContain('require("react-native")');
    expect(code).toContain('require("react/jsx-runtime")');
    expect(code).not.toContain('react.development');
    expect(code).not.toContain('<!doctype');
    expect(renderNative(bundle)).toBe('<div><span>NATIVE! hello</span></div>');
    expect(bundle.manifest.files.map((f) => f.path)).toEqual(['App.tsx', 'util.ts']);
  });

  it('resolves platform-specific files first: .ios, then .native, then plain; .web on the web', async () => {
    const dir = await project({
      'App.tsx': `import { label } from './label';\nexport default function App() { return <p>{label}</p>; }\n`,
      'label.ios.ts': `export const label = 'label for ios';\n`,
      'label.native.ts': `export const label = 'label for native';\n`,
      'label.web.ts': `export const label = 'label for web';\n`,
      'label.ts': `export const label = 'label for anything';\n`,
    });
    const text = async (platform: 'ios' | 'android' | 'web') =>
      (await buildBundle({ dir, platform })).bytes.toString().match(/label for \w+/g);

    expect(await text('ios')).toEqual(['label for ios']);
    expect(await text('android')).toEqual(['label for native']);
    expect(await text('web')).toEqual(['label for web']);
    await fs.rm(path.join(dir, 'label.native.ts'));
    expect(await text('android')).toEqual(['label for anything']);
  });
});

describe('failures', () => {
  it('names what it looked for when there is no entry', async () => {
    const dir = await project({ 'README.md': '# nothing to run\n' });
    const err = await buildBundle({ dir, platform: 'web' }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(BundleError);
    expect(err).toMatchObject({ code: 'entry_not_found' });
    const message = (err as Error).message;
    for (const looked of ['package.json "main"', 'index.(tsx|ts|jsx|js)', 'src/index.', 'App.(tsx|ts|jsx|js)']) {
      expect(message).toContain(looked);
    }
  });

  it('reports compile errors with file, line and column', async () => {
    const dir = await project({ 'App.tsx': 'export default function App() {\n  const n = ;\n  return n;\n}\n' });
    const err = (await buildBundle({ dir, platform: 'web' }).catch((e: unknown) => e)) as BundleError;

    expect(err).toMatchObject({ name: 'BundleError', code: 'build_failed' });
    expect(err.errors[0]).toMatch(/^App\.tsx:2:\d+: /);
  });

  it('refuses to read a file outside the project directory', async () => {
    const outer = await project({
      'secret.ts': `export const secret = 'do not bundle me';\n`,
      'app/App.tsx': `import { secret } from '../secret';\nexport default () => <p>{secret}</p>;\n`,
    });
    const err = await buildBundle({ dir: path.join(outer, 'app'), platform: 'web' }).catch((e: unknown) => e);

    expect(err).toMatchObject({ name: 'BundleError', code: 'outside_project' });
    expect((err as Error).message).toContain('secret.ts is outside the project directory');
  });

  it('refuses an entry outside the project directory, and a missing one', async () => {
    const dir = await project(APP);
    await expect(buildBundle({ dir, platform: 'web', entry: '../App.tsx' })).rejects.toMatchObject({
      code: 'entry_not_found',
    });
    await expect(buildBundle({ dir, platform: 'web', entry: 'Nope.tsx' })).rejects.toThrow(/Nope\.tsx does not exist/);
  });
});

describe('reproducibility', () => {
  it('gives the same bytes for the same sources, built twice or in another directory', async () => {
    const a = await project(APP);
    const b = await project(APP);
    const first = await buildBundle({ dir: a, platform: 'web' });
    const again = await buildBundle({ dir: a, platform: 'web' });
    const elsewhere = await buildBundle({ dir: b, platform: 'web' });
    const ios = await buildBundle({ dir: a, platform: 'ios' });

    expect(again.sha256).toBe(first.sha256);
    expect(again.bytes.equals(first.bytes)).toBe(true);
    expect(elsewhere.sha256).toBe(first.sha256);
    expect((await buildBundle({ dir: b, platform: 'ios' })).sha256).toBe(ios.sha256);
    expect(first.bytes.toString()).not.toContain(first.manifest.builtAt.slice(0, 10));
    expect(first.bytes.toString()).not.toContain(a);
  });

  it('changes the bytes when a source changes', async () => {
    const dir = await project(APP);
    const before = await buildBundle({ dir, platform: 'web' });
    await fs.writeFile(path.join(dir, 'util.ts'), APP['util.ts'].replace('!', '?'));
    const after = await buildBundle({ dir, platform: 'web' });

    expect(after.sha256).not.toBe(before.sha256);
    expect(after.manifest.files.find((f) => f.path === 'util.ts')!.sha256).not.toBe(
      before.manifest.files.find((f) => f.path === 'util.ts')!.sha256,
    );
  });
});
