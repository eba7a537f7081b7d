import { formatUser, type UserRecord, type UserStore } from './index.js';

/** The name 'formatUser' in this string is data, not code. */
export const REPORT_TITLE = 'formatUser report';

export function report(store: UserStore, ids: string[]): string[] {
  return ids
    .map((id) => store.lookup(id))
    .filter((user): user is UserRecord => user !== undefined)
    .map(formatUser);
}

export function lookupLabels(ids: string[]): string[] {
  const lookup = (id: string) => `#${id}`;
  return ids.map(lookup);
}
