import type { LookupKind, LookupResult } from '@hivesync/core';
import type { RequestOptions, Transport } from './transport.js';

/** /lookup: short ids. */
export class LookupApi {
  constructor(private readonly transport: Transport) {}

  /**
   * The full id of the one `kind` in your projects whose id starts with `prefix` (8 to 36 characters of 0-9, a-f and
   * -). Throws not_found when none does, and conflict with `details.candidates` (up to 10 full ids) when several do.
   */
  resolve(kind: LookupKind, prefix: string, opts?: RequestOptions): Promise<LookupResult> {
    return this.transport.json<LookupResult>({ method: 'GET', path: '/lookup', query: { kind, prefix } }, opts);
  }
}
