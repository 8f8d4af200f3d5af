// The people of the emulated site. Account ids follow Atlassian's `712020:<uuid>` format.
import { randomUUID } from 'node:crypto';

export interface Account {
  accountId: string;
  displayName: string;
  siteAdmin: boolean;
}

/** Seeded users; ids are fixed so tests and scripts can name them. */
export const SEEDED_USERS = {
  admin: { accountId: '712020:00000000-0000-4000-8000-000000000001', displayName: 'Ada Admin', siteAdmin: true },
  alice: { accountId: '712020:00000000-0000-4000-8000-00000000a11c', displayName: 'Alice Anders', siteAdmin: false },
  bob: { accountId: '712020:00000000-0000-4000-8000-000000000b0b', displayName: 'Bob Brown', siteAdmin: false },
  carol: { accountId: '712020:00000000-0000-4000-8000-0000000ca201', displayName: 'Carol Chen', siteAdmin: false },
} as const satisfies Record<string, Account>;

/** Basic-auth credentials of the seeded admin, for the UPM install API. */
export const ADMIN_CREDENTIALS = { username: 'admin', password: 'admin' } as const;

/** What Confluence accepts as an account id in a path (an id that fails this is a 400, not a 404). */
export const ACCOUNT_ID_PATTERN = /^[A-Za-z0-9:_-]{1,128}$/;

export function newAccountId(): string {
  return `712020:${randomUUID()}`;
}

export function seedAccounts(): Account[] {
  return Object.values(SEEDED_USERS).map((user) => ({ ...user }));
}
