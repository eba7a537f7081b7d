export { formatUser, UserStore } from './users/user.js';
export type { UserRecord } from './users/user.js';
