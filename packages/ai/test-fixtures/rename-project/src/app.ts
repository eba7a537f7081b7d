import * as users from './users/user.js';
import { report } from './report.js';

const store = new users.UserStore();
const displayName = 'Ada Lovelace';
store.add({ id: '1', displayName });

export function render(): string {
  const formatUser = (text: string) => text.toUpperCase();
  return formatUser(report(store, ['1']).join(', '));
}

export const first = users.formatUser(store.lookup('1') ?? { id: '0', displayName: 'nobody' });
