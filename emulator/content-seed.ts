// The spaces and pages every fresh site starts with. Ids are numeric strings, as in Confluence.
import { SEEDED_USERS } from './accounts';

export interface Space {
  id: number;
  key: string;
  name: string;
}

export interface Page {
  id: string;
  spaceKey: string;
  title: string;
  authorAccountId: string;
  createdDate: string;
  /** A view restriction: only these users (and site admins) may read the page. Absent: everyone. */
  viewers?: string[];
}

export const SEEDED_SPACES: readonly Space[] = [
  { id: 98305, key: 'ENG', name: 'Engineering' },
  { id: 98306, key: 'HR', name: 'People' },
];

export const SEEDED_PAGES: readonly Page[] = [
  {
    id: '65601',
    spaceKey: 'ENG',
    title: 'Engineering home',
    authorAccountId: SEEDED_USERS.admin.accountId,
    createdDate: '2024-01-08T09:00:00.000Z',
  },
  {
    id: '65602',
    spaceKey: 'ENG',
    title: 'Release checklist',
    authorAccountId: SEEDED_USERS.alice.accountId,
    createdDate: '2024-02-12T10:15:00.000Z',
  },
  {
    id: '65603',
    spaceKey: 'ENG',
    title: 'On-call runbook',
    authorAccountId: SEEDED_USERS.bob.accountId,
    createdDate: '2024-03-04T14:30:00.000Z',
  },
  {
    id: '65604',
    spaceKey: 'ENG',
    title: 'Architecture decisions',
    authorAccountId: SEEDED_USERS.carol.accountId,
    createdDate: '2024-04-22T08:45:00.000Z',
  },
  {
    id: '65605',
    spaceKey: 'HR',
    title: 'People home',
    authorAccountId: SEEDED_USERS.admin.accountId,
    createdDate: '2024-01-09T09:00:00.000Z',
  },
  {
    id: '65606',
    spaceKey: 'HR',
    title: 'Holiday calendar',
    authorAccountId: SEEDED_USERS.alice.accountId,
    createdDate: '2024-05-30T16:20:00.000Z',
  },
];
