/**
 * Which backend holds a site's preferences, and the document store over it.
 *
 * The admin's mode picks it; in `auto`, Keepsake finds out once per site whether user
 * properties work (a site where they answer 403 or 404 falls back to app properties) and
 * keeps the answer, shown in the admin settings and stats.
 */
import { AS_APP, type Acting } from '../confluence/client';
import { KeepsakeError } from '../errors';
import type { SiteContext } from '../sites/site-context';
import type { SiteRegistry } from '../sites/site-registry';
import { AppPropertyRecords } from './app-property-records';
import { DocumentStore } from './document-store';
import { RecordSeal } from './record-seal';
import type { Backend, RecordStore } from './record-store';
import { UserPropertyRecords } from './user-property-records';

const PROBE = 'probe';

export class SiteStorage {
  constructor(
    private readonly registry: SiteRegistry,
    /** The largest record written, in characters of JSON (KEEPSAKE_MAX_RECORD_CHARS). */
    private readonly maxRecordChars: number,
  ) {}

  /** The backend that new data goes to on this site, detecting it when the mode is `auto`. */
  async target(ctx: SiteContext, probeAccountId: string): Promise<Backend> {
    const target = await this.chosen(ctx, probeAccountId);
    // The first backend a site uses becomes the one "in use"; later changes are storage moves.
    if (!ctx.site.activeBackend) {
      await this.registry.setActiveBackend(ctx.site.clientKey, target);
      ctx.site.activeBackend = target;
    }
    return target;
  }

  private async chosen(ctx: SiteContext, probeAccountId: string): Promise<Backend> {
    const { mode } = ctx.site.settings;
    if (mode !== 'auto') return mode;
    if (ctx.site.detectedBackend) return ctx.site.detectedBackend;
    const detected = await this.detect(ctx, probeAccountId);
    await this.registry.setDetectedBackend(ctx.site.clientKey, detected);
    ctx.site.detectedBackend = detected;
    return detected;
  }

  documents(ctx: SiteContext, backend: Backend): DocumentStore {
    return new DocumentStore(this.records(ctx, backend), new RecordSeal(ctx.site.siteKey));
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
      : new AppPropertyRecords(ctx.confluence, ctx.appKey, ctx.site.siteKey, this.maxRecordChars);
  }

  /** Writes and removes a probe user property: what works for it works for preferences. */
  private async detect(ctx: SiteContext, accountId: string): Promise<Backend> {
    const records = new UserPropertyRecords(ctx.confluence, this.maxRecordChars);
    try {
      await records.write(accountId, PROBE, { probe: true }, AS_APP);
      await records.remove(accountId, PROBE, AS_APP);
      return 'user-properties';
    } catch (error) {
      if (error instanceof KeepsakeError && error.code === 'USER_PROPERTIES_UNAVAILABLE') return 'app-properties';
      throw error;
    }
  }
}
