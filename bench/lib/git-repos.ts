import { execFileSync, spawn } from 'node:child_process';

const WORDS = [
  'user',
  'order',
  'invoice',
  'session',
  'cache',
  'queue',
  'render',
  'parse',
  'token',
  'stream',
  'buffer',
  'config',
  'handler',
  'client',
  'server',
  'request',
  'response',
  'payload',
  'widget',
  'layout',
  'metric',
  'report',
  'schema',
];

/** A deterministic pseudo-random generator, so every run builds the same repository. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A plausible TypeScript source file of ~40 lines. `marker` (if any) is written into it once. */
export function sourceFile(i: number, marker?: string): string {
  const r = rng(i + 1);
  const pick = () => WORDS[Math.floor(r() * WORDS.length)]!;
  const lines = [`// module ${i}`, `import { ${pick()}Util } from '../shared/${pick()}.js';`, ''];
  for (let f = 0; f < 6; f++) {
    const name = `${pick()}${pick().replace(/^./, (c) => c.toUpperCase())}${f}`;
    lines.push(`export function ${name}Handler(input: ${pick()}Input): ${pick()}Result {`);
    lines.push(`  const ${pick()} = input.${pick()} ?? ${Math.floor(r() * 1000)};`);
    lines.push(`  if (!${pick()}) throw new Error('missing ${pick()} in ${name}');`);
    lines.push(`  return { ${pick()}: ${pick()}Util(input), id: '${name}-${i}' };`);
    lines.push('}', '');
  }
  if (marker) lines.push(`export const marker = '${marker}';`);
  return lines.join('\n') + '\n';
}

/** Feeds a git fast-import stream into `gitDir`. */
async function fastImport(gitDir: string, write: (emit: (chunk: string) => void) => void): Promise<void> {
  const child = spawn('git', ['--git-dir', gitDir, 'fast-import', '--quiet', '--force'], {
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  const done = new Promise<void>((resolve, reject) =>
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`fast-import exited ${code}`)))),
  );
  let buffer = '';
  const flush = async () => {
    if (!child.stdin.write(buffer)) await new Promise((r) => child.stdin.once('drain', r));
    buffer = '';
  };
  const chunks: string[] = [];
  write((c) => chunks.push(c));
  for (const c of chunks) {
    buffer += c;
    if (buffer.length > 1 << 20) await flush();
  }
  await flush();
  child.stdin.end();
  await done;
}

function data(text: string): string {
  return `data ${Buffer.byteLength(text)}\n${text}\n`;
}

/**
 * A bare repository with `files` generated source files in one commit on main; `markers` maps a file index to a
 * string written into it (for searches with a known number of hits).
 */
export async function generateRepo(
  gitDir: string,
  files: number,
  markers: Map<number, string> = new Map(),
): Promise<void> {
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', gitDir]);
  await fastImport(gitDir, (emit) => {
    for (let i = 0; i < files; i++) emit(`blob\nmark :${i + 1}\n${data(sourceFile(i, markers.get(i)))}`);
    emit(
      `commit refs/heads/main\nauthor Bench <bench@example.test> 1700000000 +0000\ncommitter Bench <bench@example.test> 1700000000 +0000\n${data('generated')}`,
    );
    for (let i = 0; i < files; i++)
      emit(`M 100644 :${i + 1} src/${Math.floor(i / 500)}/${Math.floor(i / 50) % 10}/module${i}.ts\n`);
  });
}

/** Appends `count` commits to main, each rewriting `perCommit` of the first `files` files. */
export async function appendCommits(
  gitDir: string,
  count: number,
  files: number,
  round: number,
  perCommit = 3,
): Promise<void> {
  await fastImport(gitDir, (emit) => {
    for (let c = 0; c < count; c++) {
      const from = c === 0 ? 'from refs/heads/main^0\n' : '';
      emit(
        `commit refs/heads/main\nauthor Bench <bench@example.test> ${1700000000 + round * 1000 + c} +0000\ncommitter Bench <bench@example.test> ${1700000000 + round * 1000 + c} +0000\n${data(`change ${round}.${c}`)}${from}`,
      );
      for (let k = 0; k < perCommit; k++) {
        const i = (round * 7919 + c * 31 + k * 997) % files;
        emit(
          `M 100644 inline src/${Math.floor(i / 500)}/${Math.floor(i / 50) % 10}/module${i}.ts\n${data(sourceFile(i, `round ${round} commit ${c}`))}`,
        );
      }
    }
  });
}
