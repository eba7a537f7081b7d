/** A code as people read it: `ABCD-2345` (8 characters split in two halves). */
export function formatCode(code: string): string {
  if (code.length < 6 || code.length % 2 !== 0) return code;
  return `${code.slice(0, code.length / 2)}-${code.slice(code.length / 2)}`;
}
