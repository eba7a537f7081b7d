import type { Reporter, TestModule, TestSpecification } from 'vitest/node';

const clock = (ms: number) => {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/**
 * One line per finished test file with how far the run is (`[12/85 files, 2:10]`), for output that is not a
 * terminal (CI logs, `npm test | tee`): the default reporter's live summary only shows on a terminal.
 */
export default class ProgressReporter implements Reporter {
  private total = 0;
  private done = 0;
  private failed = 0;
  private started = Date.now();

  onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
    this.total = specifications.length;
    this.done = 0;
    this.failed = 0;
    this.started = Date.now();
    process.stdout.write(
      `Running ${this.total} test files (on 2 cores npm test takes about 20 minutes, npm run test:quick about 3)\n`,
    );
  }

  onTestModuleEnd(module: TestModule): void {
    this.done += 1;
    if (module.state() === 'failed') this.failed += 1;
    const failed = this.failed > 0 ? `, ${this.failed} failed` : '';
    process.stdout.write(`  [${this.done}/${this.total} files${failed}, ${clock(Date.now() - this.started)}]\n`);
  }
}
