/** A time as a person reads it, in their locale. */
export function formatWhen(iso: string): string {
  return new Date(iso).toLocaleString();
}
