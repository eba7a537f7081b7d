import { readFile } from 'node:fs/promises';

export interface User {
  id: string;
  name: string;
  email: string;
}

export class NotFoundError extends Error {
  constructor(readonly resource: string) {
    super(`${resource} not found`);
  }
}

export type Role = 'admin' | 'member' | 'viewer';

export async function fetchUser(userId: string, baseUrl = 'https://api.example.com'): Promise<User> {
  const res = await fetch(`${baseUrl}/users/${userId}`);
  if (res.status === 404) {
    throw new NotFoundError(`user ${userId}`);
  }
  return (await res.json()) as User;
}

export function isValidEmail(email: string): boolean {
  return /^[^@\s]+@[^@\s]+$/.test(email);
}

/** Reads users from a JSON file on disk. */
export async function loadUsers(path: string): Promise<User[]> {
  return JSON.parse(await readFile(path, 'utf8')) as User[];
}

export class UserCache {
  private readonly users = new Map<string, User>();
  hits = 0;

  get(userId: string): User | undefined {
    const user = this.users.get(userId);
    if (user) this.hits++;
    return user;
  }

  save(user: User): void {
    if (!isValidEmail(user.email)) throw new TypeError(`invalid email for ${user.id}`);
    this.users.set(user.id, user);
    console.log('cached', user.id);
  }
}

export const formatUserName = (user: User, includeEmail = false): string =>
  includeEmail ? `${user.name} <${user.email}>` : user.name;
