// Optional persistence of the site state in one JSON file, so `npm run dev` keeps a user's
// data across restarts. Writes are debounced and atomic (write a temp file, then rename).
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { DEFAULT_USER_LOCALE, DEFAULT_USER_TIME_ZONE } from './accounts';
import { SCOPES } from './scopes';
import type { SiteSnapshot } from './site';

const jsonObject = z.record(z.string(), z.unknown());

const snapshotSchema = z.object({
  version: z.literal(1),
  accounts: z.array(
    z.object({
      accountId: z.string(),
      displayName: z.string(),
      siteAdmin: z.boolean(),
      // A state file written before users had a locale and time zone gets the defaults.
      locale: z.string().default(DEFAULT_USER_LOCALE),
      timeZone: z.string().default(DEFAULT_USER_TIME_ZONE),
      profileUpdatedAt: z.string().optional(),
      closedAt: z.string().optional(),
    }),
  ),
  apps: z.array(
    z.object({
      key: z.string(),
      name: z.string(),
      baseUrl: z.string(),
      descriptorUrl: z.string(),
      descriptor: jsonObject,
      scopes: z.array(z.enum(SCOPES)),
      lifecycle: z.object({
        installed: z.string().optional(),
        uninstalled: z.string().optional(),
        enabled: z.string().optional(),
        disabled: z.string().optional(),
      }),
      clientKey: z.string(),
      sharedSecret: z.string(),
      oauthClientId: z.string(),
      appAccountId: z.string(),
      status: z.enum(['installed', 'uninstalled']),
      installedAt: z.string(),
      installedVia: z.enum(['connect', 'forge']).optional(),
      forge: z
        .object({
          installationId: z.string(),
          appId: z.string(),
          manifest: jsonObject,
          majorVersion: z.number().int(),
          minorVersion: z.number().int(),
        })
        .optional(),
    }),
  ),
  userProperties: z.array(
    z.object({
      appKey: z.string(),
      accountId: z.string(),
      properties: z.array(
        z.object({ id: z.string(), key: z.string(), value: jsonObject, createdDate: z.string(), lastModifiedDate: z.string() }),
      ),
    }),
  ),
  appProperties: z.array(z.object({ appKey: z.string(), properties: z.array(z.object({ key: z.string(), value: z.unknown() })) })),
  nextPropertyId: z.number().int(),
  tokenSecret: z.string().min(16),
  pages: z
    .array(
      z.object({
        id: z.string(),
        spaceKey: z.string(),
        title: z.string(),
        authorAccountId: z.string(),
        createdDate: z.string(),
        viewers: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});

/** Reads a state file; undefined when there is none. A file that is not a valid state is an error. */
export function readStateFile(path: string): SiteSnapshot | undefined {
  if (!existsSync(path)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(
      `The emulator state file ${path} is not valid JSON (${(err as Error).message}); fix it, delete it, or start with --reset`,
    );
  }
  const result = snapshotSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(
      `The emulator state file ${path} is not an emulator state (${issue.path.join('.')}: ${issue.message}); delete it or start with --reset`,
    );
  }
  return result.data as SiteSnapshot;
}

export function writeStateFileNow(path: string, snapshot: SiteSnapshot): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(snapshot, null, 2), { mode: 0o600 });
  renameSync(temp, path);
}

/** Coalesces bursts of changes into one write; `flush()` writes what is pending at once. */
export class StateFileWriter {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly path: string,
    private readonly takeSnapshot: () => SiteSnapshot,
    private readonly onError: (err: Error) => void,
    private readonly delayMs = 100,
  ) {}

  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.writeNow();
    }, this.delayMs);
    this.timer.unref();
  }

  flush(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.writeNow();
  }

  private writeNow(): void {
    try {
      writeStateFileNow(this.path, this.takeSnapshot());
    } catch (err) {
      this.onError(err as Error);
    }
  }
}
