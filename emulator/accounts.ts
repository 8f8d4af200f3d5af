// The people of the emulated site. Account ids follow Atlassian's `712020:<uuid>` format.
import { randomUUID } from 'node:crypto';

export interface Account {
  accountId: string;
  displayName: string;
  siteAdmin: boolean;
  /** The language and region the person chose in Confluence, as a BCP 47 tag (`de-DE`); apps get it in Java's form (`de_DE`, user-locale.ts). */
  locale: string;
  /** The person's time zone, an IANA name (`Europe/Berlin`). */
  timeZone: string;
  /** When the profile last changed (PATCH /_emulator/users/{accountId}); absent: never since the seed or creation. */
  profileUpdatedAt?: string;
  /** When the account was closed (POST /_emulator/users/{accountId}/close); absent: active. */
  closedAt?: string;
}

/**
 * What a closed account is called everywhere once Atlassian deletes its personal data
 * (https://support.atlassian.com/user-management/docs/delete-a-managed-account/: the account's
 * "name replaced with 'Former user' with an empty avatar").
 */
export const CLOSED_ACCOUNT_DISPLAY_NAME = 'Former user';

/** Seeded users; ids are fixed so tests and scripts can name them. */
export const SEEDED_USERS = {
  admin: {
    accountId: '712020:00000000-0000-4000-8000-000000000001',
    displayName: 'Ada Admin',
    siteAdmin: true,
    locale: 'en-GB',
    timeZone: 'UTC',
  },
  alice: {
    accountId: '712020:00000000-0000-4000-8000-00000000a11c',
    displayName: 'Alice Anders',
    siteAdmin: false,
    locale: 'en-US',
    timeZone: 'America/New_York',
  },
  bob: {
    accountId: '712020:00000000-0000-4000-8000-000000000b0b',
    displayName: 'Bob Brown',
    siteAdmin: false,
    locale: 'en-GB',
    timeZone: 'Europe/London',
  },
  carol: {
    accountId: '712020:00000000-0000-4000-8000-0000000ca201',
    displayName: 'Carol Chen',
    siteAdmin: false,
    locale: 'en-NZ',
    timeZone: 'Pacific/Auckland',
  },
} as const satisfies Record<string, Account>;

/** A new user's locale and time zone until they choose others, and what a page without a signed-in user gets (assumed). */
export const DEFAULT_USER_LOCALE = 'en-US';
export const DEFAULT_USER_TIME_ZONE = 'UTC';

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
