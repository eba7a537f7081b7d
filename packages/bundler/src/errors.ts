/** Why a build failed: no entry point, a compile error, or a file the bundle may not read. */
export type BundleErrorCode = 'entry_not_found' | 'build_failed' | 'outside_project';

/** Every failure of `buildBundle()` throws this; branch on `code`, show `message` to a person. */
export class BundleError extends Error {
  constructor(
    readonly code: BundleErrorCode,
    message: string,
    /** The compiler's messages, one `file:line:column: text` each, when there are any. */
    readonly errors: readonly string[] = [],
  ) {
    super(message);
    this.name = 'BundleError';
  }
}

/** Whether a value is a BundleError (also across copies of the package, where instanceof fails). */
export function isBundleError(value: unknown): value is BundleError {
  return value instanceof BundleError || (value instanceof Error && value.name === 'BundleError');
}
