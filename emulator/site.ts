// The in-memory state of the one emulated site: accounts, installed apps, user and app
// properties. Every mutation calls `onChange` so a state file can follow (see state-file.ts).
import { randomBytes } from 'node:crypto';
import { type Account, CLOSED_ACCOUNT_DISPLAY_NAME, seedAccounts } from './accounts';
import { SEEDED_PAGES, type Page } from './content-seed';
import type { Scope } from './scopes';

export type JsonObject = { [key: string]: unknown };

export interface Lifecycle {
  installed?: string;
  uninstalled?: string;
  enabled?: string;
  disabled?: string;
}

export type AppStatus = 'installed' | 'uninstalled';

/** How the app came onto the site: UPM (a Connect descriptor) or `forge install` (Connect on Forge). */
export type InstalledVia = 'connect' | 'forge';

/** What a Forge install adds to the app record (emulator/forge/, docs/emulator.md "Forge installs"). */
export interface ForgeInstallation {
  /** ari:cloud:ecosystem::installation/<uuid>: kept across upgrades, new on every install. */
  installationId: string;
  /** The manifest's app.id, ari:cloud:ecosystem::app/<uuid>. */
  appId: string;
  /** The manifest as installed (parsed YAML). */
  manifest: JsonObject;
  majorVersion: number;
  minorVersion: number;
}

/** An app as the site knows it. The record survives uninstall so the clientKey stays stable. */
export interface InstalledApp {
  key: string;
  name: string;
  baseUrl: string;
  descriptorUrl: string;
  descriptor: JsonObject;
  scopes: Scope[];
  lifecycle: Lifecycle;
  clientKey: string;
  sharedSecret: string;
  oauthClientId: string;
  /** The app's own Confluence user, what `user/current` returns for calls made as the app. */
  appAccountId: string;
  status: AppStatus;
  installedAt: string;
  /** Absent in records made before Forge installs existed: connect. */
  installedVia?: InstalledVia;
  /** Forge installs only. */
  forge?: ForgeInstallation;
}

export interface StoredUserProperty {
  id: string;
  key: string;
  value: JsonObject;
  createdDate: string;
  lastModifiedDate: string;
}

export interface StoredAppProperty {
  key: string;
  value: unknown;
}

export interface SiteSnapshot {
  version: 1;
  accounts: Account[];
  apps: InstalledApp[];
  userProperties: { appKey: string; accountId: string; properties: StoredUserProperty[] }[];
  appProperties: { appKey: string; properties: StoredAppProperty[] }[];
  nextPropertyId: number;
  tokenSecret: string;
  /** Pages beyond the seed, added through the control API (absent in older state files). */
  pages?: Page[];
}

/** First id handed to a user property; ids are numeric strings like Confluence's. */
const FIRST_PROPERTY_ID = 1_000_001;

export function seedSnapshot(): SiteSnapshot {
  return {
    version: 1,
    accounts: seedAccounts(),
    apps: [],
    userProperties: [],
    appProperties: [],
    nextPropertyId: FIRST_PROPERTY_ID,
    tokenSecret: randomBytes(32).toString('base64url'),
  };
}

function userPropertyBucket(appKey: string, accountId: string): string {
  return `${appKey}\u0000${accountId}`;
}

export class Site {
  private accounts = new Map<string, Account>();
  private apps = new Map<string, InstalledApp>();
  /** (appKey, accountId) → key → property: the storage identity of a user property. */
  private userProps = new Map<string, Map<string, StoredUserProperty>>();
  private appProps = new Map<string, Map<string, StoredAppProperty>>();
  private nextPropertyId = FIRST_PROPERTY_ID;
  private pages: Page[] = [];
  /** Signs the emulator's own bearer tokens; part of the state so tokens survive a restart. */
  private tokenSecretValue = '';

  constructor(
    snapshot: SiteSnapshot,
    private readonly onChange: () => void = () => undefined,
  ) {
    this.load(snapshot);
  }

  get tokenSecret(): string {
    return this.tokenSecretValue;
  }

  /** Replaces the whole state (reset, or loading a state file). */
  load(snapshot: SiteSnapshot): void {
    this.accounts = new Map(snapshot.accounts.map((a) => [a.accountId, { ...a }]));
    this.apps = new Map(snapshot.apps.map((a) => [a.key, { ...a }]));
    this.userProps = new Map(
      snapshot.userProperties.map((b) => [userPropertyBucket(b.appKey, b.accountId), new Map(b.properties.map((p) => [p.key, { ...p }]))]),
    );
    this.appProps = new Map(snapshot.appProperties.map((b) => [b.appKey, new Map(b.properties.map((p) => [p.key, { ...p }]))]));
    this.nextPropertyId = snapshot.nextPropertyId;
    this.tokenSecretValue = snapshot.tokenSecret;
    this.pages = [...SEEDED_PAGES, ...(snapshot.pages ?? [])].map((p) => ({ ...p }));
    this.onChange();
  }

  snapshot(): SiteSnapshot {
    const userProperties: SiteSnapshot['userProperties'] = [];
    for (const [bucket, props] of this.userProps) {
      if (props.size === 0) continue;
      const [appKey, accountId] = bucket.split('\u0000');
      userProperties.push({ appKey, accountId, properties: [...props.values()] });
    }
    return {
      version: 1,
      accounts: [...this.accounts.values()],
      apps: [...this.apps.values()],
      userProperties,
      appProperties: [...this.appProps].filter(([, p]) => p.size > 0).map(([appKey, p]) => ({ appKey, properties: [...p.values()] })),
      nextPropertyId: this.nextPropertyId,
      tokenSecret: this.tokenSecretValue,
      pages: this.pages.filter((p) => !SEEDED_PAGES.some((seeded) => seeded.id === p.id)),
    };
  }

  // --- pages ---

  listPages(): Page[] {
    return this.pages.map((p) => ({ ...p }));
  }

  findPage(id: string): Page | undefined {
    return this.pages.find((p) => p.id === id);
  }

  /** Adds a page with the next free numeric id. */
  addPage(page: Omit<Page, 'id'>): Page {
    const id = String(Math.max(...this.pages.map((p) => Number(p.id))) + 1);
    const added = { id, ...page };
    this.pages.push(added);
    this.onChange();
    return { ...added };
  }

  // --- accounts ---

  listAccounts(): Account[] {
    return [...this.accounts.values()].map((a) => ({ ...a }));
  }

  findAccount(accountId: string): Account | undefined {
    return this.accounts.get(accountId);
  }

  addAccount(account: Account): void {
    this.accounts.set(account.accountId, { ...account });
    this.onChange();
  }

  /**
   * Closes an account as Atlassian deletes one: its name becomes "Former user" and it loses its
   * admin rights; the account id stays. Closing a closed account changes nothing.
   */
  closeAccount(accountId: string, now: string): Account | undefined {
    const account = this.accounts.get(accountId);
    if (!account) return undefined;
    if (account.closedAt === undefined) {
      account.closedAt = now;
      account.displayName = CLOSED_ACCOUNT_DISPLAY_NAME;
      account.siteAdmin = false;
      this.onChange();
    }
    return { ...account };
  }

  /** Changes an active account's display name and records when its profile changed. */
  updateAccountProfile(accountId: string, displayName: string, now: string): Account | undefined {
    const account = this.accounts.get(accountId);
    if (!account) return undefined;
    account.displayName = displayName;
    account.profileUpdatedAt = now;
    this.onChange();
    return { ...account };
  }

  /** Changes the language and time zone a person chose (neither is a profile change Atlassian reports; assumed). */
  updateAccountLocale(accountId: string, choice: { locale?: string; timeZone?: string }): Account | undefined {
    const account = this.accounts.get(accountId);
    if (!account) return undefined;
    if (choice.locale !== undefined) account.locale = choice.locale;
    if (choice.timeZone !== undefined) account.timeZone = choice.timeZone;
    this.onChange();
    return { ...account };
  }

  // --- apps ---

  listApps(): InstalledApp[] {
    return [...this.apps.values()];
  }

  /** The app record by key, installed or not. */
  findApp(appKey: string): InstalledApp | undefined {
    return this.apps.get(appKey);
  }

  /** The app by key, only while installed. */
  installedApp(appKey: string): InstalledApp | undefined {
    const app = this.apps.get(appKey);
    return app && app.status === 'installed' ? app : undefined;
  }

  installedAppByOauthClientId(oauthClientId: string): InstalledApp | undefined {
    return this.listApps().find((a) => a.status === 'installed' && a.oauthClientId === oauthClientId);
  }

  installedAppByAccountId(accountId: string): InstalledApp | undefined {
    return this.listApps().find((a) => a.status === 'installed' && a.appAccountId === accountId);
  }

  saveApp(app: InstalledApp): void {
    this.apps.set(app.key, { ...app });
    this.onChange();
  }

  // --- user properties ---

  userProperties(appKey: string, accountId: string): StoredUserProperty[] {
    const props = this.userProps.get(userPropertyBucket(appKey, accountId));
    return props ? [...props.values()].sort((a, b) => Number(a.id) - Number(b.id)) : [];
  }

  findUserProperty(appKey: string, accountId: string, key: string): StoredUserProperty | undefined {
    return this.userProps.get(userPropertyBucket(appKey, accountId))?.get(key);
  }

  createUserProperty(appKey: string, accountId: string, key: string, value: JsonObject, now: string): StoredUserProperty {
    const bucket = userPropertyBucket(appKey, accountId);
    let props = this.userProps.get(bucket);
    if (!props) {
      props = new Map();
      this.userProps.set(bucket, props);
    }
    const property: StoredUserProperty = { id: String(this.nextPropertyId++), key, value, createdDate: now, lastModifiedDate: now };
    props.set(key, property);
    this.onChange();
    return property;
  }

  updateUserProperty(appKey: string, accountId: string, key: string, value: JsonObject, now: string): boolean {
    const property = this.findUserProperty(appKey, accountId, key);
    if (!property) return false;
    property.value = value;
    property.lastModifiedDate = now;
    this.onChange();
    return true;
  }

  deleteUserProperty(appKey: string, accountId: string, key: string): boolean {
    const deleted = this.userProps.get(userPropertyBucket(appKey, accountId))?.delete(key) ?? false;
    if (deleted) this.onChange();
    return deleted;
  }

  // --- app properties ---

  appProperties(appKey: string): StoredAppProperty[] {
    return [...(this.appProps.get(appKey)?.values() ?? [])];
  }

  findAppProperty(appKey: string, key: string): StoredAppProperty | undefined {
    return this.appProps.get(appKey)?.get(key);
  }

  /** Sets an app property; answers whether it was created (true) or replaced (false). */
  setAppProperty(appKey: string, key: string, value: unknown): boolean {
    let props = this.appProps.get(appKey);
    if (!props) {
      props = new Map();
      this.appProps.set(appKey, props);
    }
    const created = !props.has(key);
    props.set(key, { key, value });
    this.onChange();
    return created;
  }

  deleteAppProperty(appKey: string, key: string): boolean {
    const deleted = this.appProps.get(appKey)?.delete(key) ?? false;
    if (deleted) this.onChange();
    return deleted;
  }
}
