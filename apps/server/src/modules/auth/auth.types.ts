import type { UserRole } from '@hivesync/core';

/** Who is calling: set on every authenticated request from the verified access token. */
export interface AuthContext {
  userId: string;
  role: UserRole;
  /** The session (login) the access token belongs to: its `sid` claim. */
  sessionId?: string;
  /** The client's address, for the audit log. */
  ip?: string;
}
