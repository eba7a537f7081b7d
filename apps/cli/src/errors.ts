/** Exit codes; they are part of the CLI's interface (docs/cli.md). */
export const EXIT = { ok: 0, api: 1, usage: 2, auth: 3, network: 4 } as const;

/** An error of the CLI itself (usage, not logged in), with its exit code and a stable code for --json. */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A usage error: exit code 2. */
export function usageError(message: string): CliError {
  return new CliError('usage_error', message, EXIT.usage);
}

/**
 * Ends a command with an exit code and nothing more to print: what it had to say is already out (a failed sync, a
 * search without matches, which, like grep, exits 1).
 */
export class ExitStatus extends Error {
  constructor(readonly exitCode: number) {
    super(`exit status ${exitCode}`);
    this.name = 'ExitStatus';
  }
}
