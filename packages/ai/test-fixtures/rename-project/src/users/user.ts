export interface UserRecord {
  id: string;
  displayName: string;
}

export class UserStore {
  private readonly records = new Map<string, UserRecord>();

  add(record: UserRecord): void {
    this.records.set(record.id, record);
  }

  lookup(id: string): UserRecord | undefined {
    return this.records.get(id);
  }

  lookupMany(ids: readonly string[]): UserRecord[] {
    return ids.flatMap((id) => this.lookup(id) ?? []);
  }
}

// formatUser is mentioned in this comment and must stay as it is.
export function formatUser(user: UserRecord): string {
  return `${user.displayName} (${user.id})`;
}
