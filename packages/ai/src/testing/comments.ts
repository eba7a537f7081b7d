import { type Language } from '../model.js';

/**
 * Why a patch is not purely "comment lines added", or undefined when it is: no `-` lines, and every run of `+` lines
 * is a JSDoc block (TypeScript, JavaScript), `//` lines (Go) or one whole docstring (Python).
 */
export function commentOnlyProblem(patch: string, language: Language): string | undefined {
  const runs: string[][] = [];
  let run: string[] | undefined;
  for (const line of patch.split('\n')) {
    if (line.startsWith('+++ ') || line.startsWith('--- ')) continue;
    if (line.startsWith('-')) return `a line is removed or changed: ${JSON.stringify(line)}`;
    if (line.startsWith('+')) {
      run ??= [];
      run.push(line.slice(1).replace(/\r$/, ''));
    } else if (run) {
      runs.push(run);
      run = undefined;
    }
  }
  if (run) runs.push(run);
  if (runs.length === 0) return 'the patch adds nothing';
  for (const block of runs) {
    const trimmed = block.map((line) => line.trim());
    if (language === 'python') {
      const first = trimmed[0] ?? '';
      const last = trimmed[trimmed.length - 1] ?? '';
      const inner = trimmed.slice(1, -1);
      const single = trimmed.length === 1 && first.length >= 6 && first.startsWith('"""') && first.endsWith('"""');
      const multi =
        trimmed.length > 1 && first.startsWith('"""') && last.endsWith('"""') && !inner.some((l) => l.includes('"""'));
      if (!single && !multi) return `not a docstring: ${JSON.stringify(block)}`;
    } else if (language === 'go') {
      const bad = trimmed.find((line) => !line.startsWith('//'));
      if (bad !== undefined) return `not a Go comment line: ${JSON.stringify(bad)}`;
    } else {
      const bad = trimmed.find((line) => !/^(\/\*\*|\*\/|\*( |$))/.test(line) && line !== '*');
      if (bad !== undefined) return `not a JSDoc line: ${JSON.stringify(bad)}`;
      if (!trimmed[0]?.startsWith('/**') || !trimmed[trimmed.length - 1]?.endsWith('*/')) {
        return `not a whole JSDoc block: ${JSON.stringify(block)}`;
      }
    }
  }
  return undefined;
}
