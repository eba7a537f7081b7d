import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findEntry, isComponentEntry, resolveExtensions } from './entry.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => fs.rm(d, { recursive: true, force: true })));
});

async function project(files: string[], pkg?: Record<string, unknown>): Promise<string> {
  const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'hivesync-entry-')));
  dirs.push(dir);
  for (const rel of files) {
    await fs.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await fs.writeFile(path.join(dir, rel), 'export default 1;\n');
  }
  if (pkg) await fs.writeFile(path.join(dir, 'package.json'), JSON.stringify(pkg));
  return dir;
}

describe('findEntry', () => {
  it('prefers package.json main, then index, then src/index, then App', async () => {
    const all = ['main.tsx', 'index.ts', 'src/index.jsx', 'App.tsx'];
    expect((await findEntry(await project(all, { main: 'main.tsx' }), 'web')).path).toBe('main.tsx');
    expect((await findEntry(await project(all), 'web')).path).toBe('index.ts');
    expect((await findEntry(await project(all.slice(2)), 'web')).path).toBe('src/index.jsx');
    expect(await findEntry(await project(['App.js']), 'web')).toMatchObject({ path: 'App.js', source: 'App' });
  });

  it('completes an extensionless package.json field and skips one that names a package', async () => {
    expect((await findEntry(await project(['src/main.tsx'], { main: 'src/main' }), 'ios')).path).toBe('src/main.tsx');
    expect((await findEntry(await project(['src/index.ts'], { module: 'src' }), 'web')).path).toBe('src/index.ts');
    const expo = await project(['App.tsx', 'node_modules/expo/AppEntry.js'], { main: 'node_modules/expo/AppEntry.js' });
    expect((await findEntry(expo, 'android')).path).toBe('App.tsx');
    expect((await findEntry(await project(['App.tsx'], { main: 'expo-router/entry' }), 'ios')).path).toBe('App.tsx');
  });

  it('takes platform variants of the entry first', async () => {
    const dir = await project(['index.tsx', 'index.ios.tsx', 'index.native.js', 'index.web.tsx']);
    expect((await findEntry(dir, 'ios')).path).toBe('index.ios.tsx');
    expect((await findEntry(dir, 'android')).path).toBe('index.native.js');
    expect((await findEntry(dir, 'web')).path).toBe('index.web.tsx');
  });

  it('checks an explicit entry, completing its extension', async () => {
    const dir = await project(['screens/Home.tsx']);
    expect(await findEntry(dir, 'web', 'screens/Home')).toMatchObject({ path: 'screens/Home.tsx', source: 'option' });
    await expect(findEntry(dir, 'web', 'screens/Away.tsx')).rejects.toMatchObject({ code: 'entry_not_found' });
    await expect(findEntry(dir, 'web', '/etc/passwd')).rejects.toThrow(/outside the project directory/);
  });

  it('says which package.json fields it skipped', async () => {
    const dir = await project(['README.md'], { main: 'expo-router/entry' });
    await expect(findEntry(dir, 'ios')).rejects.toThrow(/package\.json "main" \(expo-router\/entry: not a file/);
  });
});

describe('isComponentEntry', () => {
  it('is true for a default-exported component that nothing mounts', () => {
    expect(isComponentEntry('export default function App() { return null; }')).toBe(true);
    expect(isComponentEntry('const App = () => null;\nexport default App;')).toBe(true);
    expect(isComponentEntry("export { default } from './App';")).toBe(true);
    expect(isComponentEntry('class App extends Component { render() { return null; } }\nexport default App;')).toBe(
      true,
    );
    expect(isComponentEntry('// createRoot(document.body)\nexport default function App() {}')).toBe(true);
  });

  it('is false for an entry that mounts a tree itself, or exports no default', () => {
    expect(isComponentEntry("createRoot(document.getElementById('root')).render(<App />);")).toBe(false);
    expect(isComponentEntry('ReactDOM.render(<App />, el);\nexport default App;')).toBe(false);
    expect(isComponentEntry("AppRegistry.registerComponent('main', () => App);\nexport default App;")).toBe(false);
    expect(isComponentEntry('registerRootComponent(App);')).toBe(false);
    expect(isComponentEntry('export function App() {}')).toBe(false);
  });
});

describe('resolveExtensions', () => {
  it('puts the platform variants before the plain extensions', () => {
    expect(resolveExtensions('ios').slice(0, 2)).toEqual(['.ios.tsx', '.ios.ts']);
    expect(resolveExtensions('ios').indexOf('.native.tsx')).toBeLessThan(resolveExtensions('ios').indexOf('.tsx'));
    expect(resolveExtensions('android')).not.toContain('.ios.tsx');
    expect(resolveExtensions('web')[0]).toBe('.web.tsx');
  });
});
