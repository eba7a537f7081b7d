/** Why the local provider refused a request; the server turns each into a failed job with this code. */
export type AiErrorCode =
  | 'file_not_found'
  | 'unsupported_language'
  | 'symbol_not_found'
  | 'invalid_name'
  | 'name_collision'
  | 'not_renameable'
  | 'unsupported_layout'
  | 'parse_error'
  | 'project_too_large';

/** Every refusal of `@hivesync/ai` throws this; branch on `code`, show `message` to a person. */
export class AiError extends Error {
  constructor(
    readonly code: AiErrorCode,
    message: string,
    /** Where the problem is, when there is one place to point at (`path:line: text`, one per clash). */
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = 'AiError';
  }
}

/** Whether a value is an AiError (also across copies of the package, where instanceof fails). */
export function isAiError(value: unknown): value is AiError {
  return value instanceof AiError || (value instanceof Error && value.name === 'AiError');
}
