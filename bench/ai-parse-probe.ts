import { summarizeFile } from '@hivesync/ai';

// Measures, in a fresh process, the resident memory of repeated tree-sitter parses: `summarizeFile` of one generated
// 1,200-line Python file, as a worker runs it for summaries and documentation. Prints RSS after 100 and after
// `--parses` parses (2,000 by default), each read after a garbage collection when `--expose-gc` is given.
const args = process.argv.slice(2);
const parses = Number(args[args.indexOf('--parses') + 1] ?? '') || 2000;

/** A Python module of `functions` twelve-line functions: 1,200 lines for 100. */
function pythonModule(functions: number): string {
  const out: string[] = [];
  for (let i = 0; i < functions; i++) {
    out.push(
      `def total_${i}(items: list[int], factor: int = ${i}) -> int:`,
      `    """Sums the items of batch ${i}, scaled."""`,
      '    total = 0',
      '    for item in items:',
      '        if item < 0:',
      '            continue',
      '        total += item * factor',
      '    if total > 1000:',
      `        raise ValueError("batch ${i} is too large")`,
      '    result = total // 2',
      '    return result',
      '',
    );
  }
  return out.join('\n');
}

const text = pythonModule(100);
const files = new Map([['batch.py', text]]);
const gc = (globalThis as { gc?: () => void }).gc;
const rss = () => {
  gc?.();
  return process.memoryUsage().rss;
};
let rss100 = 0;
const started = performance.now();
for (let i = 1; i <= parses; i++) {
  await summarizeFile(files, 'batch.py');
  if (i === 100) rss100 = rss();
}
const rssEnd = rss();
console.log(
  JSON.stringify({
    lines: text.split('\n').length,
    parses,
    rss100,
    rssEnd,
    msPerParse: (performance.now() - started) / parses,
  }),
);
