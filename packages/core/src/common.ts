import { z } from 'zod';

/** An ISO-8601 UTC timestamp as it travels over the wire. */
export const Timestamp = z.iso.datetime({ offset: true });

/** An opaque identifier. */
export const Id = z.string().min(1).max(64);
