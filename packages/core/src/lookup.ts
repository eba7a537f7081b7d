import { z } from 'zod';
import { Id } from './common.js';

/** The kinds of resource whose ids `GET /lookup` resolves from a prefix. */
export const LOOKUP_KINDS = ['thread', 'suggestion', 'job', 'preview', 'sync'] as const;
export const LookupKind = z.enum(LOOKUP_KINDS);
export type LookupKind = z.infer<typeof LookupKind>;

/** What each kind is called in messages to a person. */
export const LOOKUP_KIND_NOUN: Record<LookupKind, string> = {
  thread: 'thread',
  suggestion: 'suggestion',
  job: 'AI job',
  preview: 'preview',
  sync: 'sync',
};

/** The fewest characters of an id a prefix must give (like git's short hashes: a shorter one is too often ambiguous). */
export const MIN_ID_PREFIX = 8;
/** The most candidates a 409 answer lists. */
export const MAX_LOOKUP_CANDIDATES = 10;

/** A prefix of a UUID: 8 to 36 characters of hex digits and dashes; upper case is read as lower case. */
export const IdPrefix = z
  .string()
  .regex(new RegExp(`^[0-9a-fA-F-]{${MIN_ID_PREFIX},36}$`), {
    message: `must be ${MIN_ID_PREFIX} to 36 characters of 0-9, a-f and -`,
  })
  .transform((s) => s.toLowerCase());

export const LookupQuery = z.object({ kind: LookupKind, prefix: IdPrefix });
export type LookupQuery = z.input<typeof LookupQuery>;

/** The one resource a prefix names, among those in the caller's projects. */
export const LookupResult = z.object({ kind: LookupKind, id: Id }).meta({ id: 'LookupResult' });
export type LookupResult = z.infer<typeof LookupResult>;
