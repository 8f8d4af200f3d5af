/**
 * Which backend holds a site's preferences, and the document store over it.
 *
 * The admin's mode picks it; in `auto`, Keepsake finds out once per site whether user
 * properties work and keeps the answer, shown in the admin settings and stats. The decision
 * is made once: under a lock shared by every instance, the first decision recorded stands,
 * and only a definite answer decides (see `detect`).
 */
import { randomBytes } from 'node:crypto';
import { AS_APP, type Acting } from '../confluence/client';
import type { UserLock } from '../database/user-lock';
import { KeepsakeError } from '../errors';
import type { SiteContext } from '../sites/site-context';
import type { SiteRegistry } from '../sites/site-registry';
import type { AppPropertyBucketLedger } from './app-property-bucket-ledger';
import { AppPropertyBuckets } from './app-property-buckets';
import { AppPropertyEntryEnvelope } from './app-property-entry-envelope';
import { DocumentStore } from './document-store';
import { RecordEnvelope } from './record-envelope';
import type { Backend, RecordStore } from './record-store';
import { UserPropertyRecords } from './user-property-records';

/** The lock name of a site's decisions: no account id is empty, so it meets no user's lock. */
const SITE_DECISIONS = '';

export class SiteStorage {
  /** Detections under way on this instance, one per site. */
  private readonly detecting = new Map<string, Promise<Backend>>();

  constructor(
    private readonly registry: SiteRegistry,
    private readonly lock: UserLock,
    /** The largest record written, in characters of JSON (KEEPSAKE_MAX_RECORD_CHARS). */
    private readonly maxRecordChars: number,
    /** The acknowledged copies and locks of app-property buckets. */
    private readonly buckets: AppPropertyBucketLedger,
  ) {}

  /** The backend that new data goes to on this site, detecting it when the mode is `auto`. */
  async target(ctx: SiteContext, probeAccountId: string): Promise<Backend> {
    const target = await this.chosen(ctx, probeAccountId);
    // The first backend a site uses becomes the one "in use"; later changes are storage moves.
    if (!ctx.site.activeBackend) {
      ctx.site = await this.registry.setActiveBackend(ctx.site.clientKey, target);
    }
    return target;
  }

  private async chosen(ctx: SiteContext, probeAccountId: string): Promise<Backend> {
    const { mode } = ctx.site.settings;
    if (mode !== 'auto') return mode;
    if (ctx.site.detectedBackend) return ctx.site.detectedBackend;
    const { clientKey } = ctx.site;
    let detection = this.detecting.get(clientKey);
    if (!detection) {
      detection = this.lock
        .run(
          clientKey,
          SITE_DECISIONS,
          async () =>
            (await this.registry.decidedBackend(clientKey)) ??
            this.registry.decideBackend(clientKey, await this.detect(ctx, probeAccountId)),
        )
        .finally(() => this.detecting.delete(clientKey));
      this.detecting.set(clientKey, detection);
    }
    const decided = await detection;
    if (ctx.site.detectedBackend !== decided) ctx.site = { ...ctx.site, detectedBackend: decided };
    return decided;
  }

  /** Counts a record replaced by the acknowledged copy (a conflict or tampering), for the site's figures. */
  countRestore(ctx: SiteContext): void {
    this.registry.countRestore(ctx.site.clientKey);
  }

  documents(ctx: SiteContext, backend: Backend): DocumentStore {
    const records = this.records(ctx, backend);
    // In app properties a bucket is encrypted and sealed as a whole; its records are not on their own.
    const envelope =
      backend === 'app-properties'
        ? new AppPropertyEntryEnvelope(ctx.site.siteKey, records.maxRecordChars)
        : new RecordEnvelope(ctx.site.siteKey, records.maxRecordChars);
    return new DocumentStore(records, envelope);
  }

  /**
   * Who a call about `owner`'s data acts as. As the user only where the admin enabled it, the
   * install allows it, the data is the caller's own, and it lives in user properties (app
   * properties belong to the app). Otherwise as the app, which may reach every user's data.
   */
  acting(ctx: SiteContext, backend: Backend, owner: string, caller: string | undefined): Acting {
    return backend === 'user-properties' && owner === caller ? this.onBehalfOf(ctx, owner) : AS_APP;
  }

  /** Who a call made for this user acts as, where nothing else decides: the user when enabled. */
  onBehalfOf(ctx: SiteContext, accountId: string): Acting {
    return ctx.site.settings.actAsUser && ctx.canActAsUser ? { as: 'user', accountId } : AS_APP;
  }

  private records(ctx: SiteContext, backend: Backend): RecordStore {
    return backend === 'user-properties'
      ? new UserPropertyRecords(ctx.confluence, this.maxRecordChars)
      : new AppPropertyBuckets(
          ctx.confluence,
          { clientKey: ctx.site.clientKey, appKey: ctx.appKey, siteKey: ctx.site.siteKey },
          this.maxRecordChars,
          this.buckets,
          () => this.registry.countRestore(ctx.site.clientKey),
        );
  }

  /**
   * Creates and removes a probe user property on the caller's own account: what works for it
   * works for preferences. The probe's name is new each time, so probes racing each other
   * (other requests, other instances) never meet. Only Confluence's refusal — 403 or 404 on
   * creating a property of an account that exists — says user properties do not work; any
   * other failure decides nothing, and the next request asks again.
   */
  private async detect(ctx: SiteContext, accountId: string): Promise<Backend> {
    const records = new UserPropertyRecords(ctx.confluence, this.maxRecordChars);
    const probe = `probe-${randomBytes(6).toString('hex')}`;
    try {
      await records.create(accountId, probe, { probe: true }, AS_APP);
    } catch (error) {
      if (error instanceof KeepsakeError && error.code === 'USER_PROPERTIES_UNAVAILABLE') return 'app-properties';
      throw error;
    }
    // The answer is known; a probe left behind by a failed removal is a few bytes of the app's.
    await records.remove(accountId, probe, AS_APP).catch(() => undefined);
    return 'user-properties';
  }
}
