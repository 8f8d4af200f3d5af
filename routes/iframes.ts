/**
 * The iframes Confluence shows: the panel on every page, the personal page ("My Keepsake")
 * and the admin configuration page (docs/ui.md). Page loads carry Confluence's page-load JWT,
 * which ACE verifies (qsh included). Each page is rendered with the user's current state in
 * the HTML, so nothing is fetched before the user sees it; the scripts only handle changes.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { AddOn } from 'atlassian-connect-express';
import type { SiteAdministration } from '../lib/admin/site-administration';
import { isSiteAdmin } from '../lib/auth/site-admin';
import { PageAuthors } from '../lib/confluence/page-authors';
import { KeepsakeError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import type { PreferenceService } from '../lib/preferences/preference-service';
import type { PreferencesView } from '../lib/preferences/preference-view';
import { PROFILE_FIELDS, PROFILE_FIELD_LIMITS, VIEW_MODES, contentId, type ProfileField } from '../lib/preferences/schema';
import type { SiteContext, SiteContexts } from '../lib/sites/site-context';
import { STORAGE_MODES } from '../lib/sites/site-settings';
import { AssetManifest } from './asset-manifest';

export interface IframeDependencies {
  addon: AddOn;
  contexts: SiteContexts;
  preferences: PreferenceService;
  administration: SiteAdministration;
  logger: Logger;
  pageAuthors?: PageAuthors;
  assets?: AssetManifest;
}

interface AceLocals {
  clientKey: string;
  userAccountId: string;
  hostBaseUrl: string;
}

/** How long a page author's display name is reused before Confluence is asked again. */
const DISPLAY_NAME_MAX_AGE_MS = 10 * 60 * 1000;
const VIEW_MODE_LABELS: Record<(typeof VIEW_MODES)[number], string> = { comfortable: 'Comfortable', compact: 'Compact', focus: 'Focus' };
const TRACKING_LABELS = { analytics: 'Usage analytics', productEmails: 'Product emails' } as const;
const PROFILE_LABELS: Record<ProfileField, string> = { pronouns: 'Pronouns', workingHours: 'Working hours', location: 'Location', note: 'About me' };
const STORAGE_LABELS: Record<(typeof STORAGE_MODES)[number], string> = {
  auto: 'Automatic (user properties when the site allows them)',
  'user-properties': 'User properties',
  'app-properties': 'App properties',
};

/** The page author's public card, as the panel shows it. */
interface AuthorCard {
  displayName: string;
  own: boolean;
  tampered: boolean;
  fields: { label: string; value: string }[];
}

export function iframeRouter({
  addon,
  contexts,
  preferences,
  administration,
  logger,
  pageAuthors = new PageAuthors(DISPLAY_NAME_MAX_AGE_MS),
  assets = new AssetManifest(),
}: IframeDependencies): Router {
  const router = express.Router();

  /**
   * An iframe route: ACE verifies Confluence's page-load token, then `render` gets the site and
   * the user. A failure is a page too, with a sentence for a person (never JSON in an iframe).
   */
  const iframe = (path: string, render: (ctx: SiteContext, user: AceLocals, req: Request, res: Response) => Promise<void>) =>
    router.get(path, addon.authenticate(), async (req, res) => {
      const user = res.locals as AceLocals;
      try {
        await render(await contexts.forClient(user.clientKey), user, req, res);
      } catch (error) {
        const known = error instanceof KeepsakeError ? error : undefined;
        if (!known) logger.error({ err: error, path }, 'iframe failed');
        if (known?.retryAfter !== undefined) res.setHeader('Retry-After', String(known.retryAfter));
        res.status(known?.status ?? 500).render('unavailable', {
          ...page(undefined, 'sizeToParent:true'),
          title: 'Keepsake',
          message: known?.code.startsWith('CONFLUENCE_')
            ? 'Keepsake cannot reach Confluence just now. Your preferences are safe; reload the page in a moment.'
            : 'Keepsake could not show this just now. Your preferences are safe; reload the page, and tell your site admin if it persists.',
        });
      }
    });

  /** Scripts and styles of a page, by their content-hashed names. */
  const page = (script: string | undefined, allJsOptions: string) => ({
    styleUrl: assets.url('keepsake.css'),
    scriptUrl: script === undefined ? undefined : assets.url(script),
    allJsOptions,
  });

  async function authorCard(ctx: SiteContext, pageId: string, viewer: string): Promise<AuthorCard | undefined> {
    const author = await pageAuthors.of(ctx.confluence, pageId);
    if (!author) return undefined;
    const card = await preferences.profile(ctx, author.accountId, viewer);
    return {
      displayName: author.displayName || 'The author',
      own: author.accountId === viewer,
      tampered: card.tampered,
      fields: PROFILE_FIELDS.filter((f) => card.profile[f]).map((f) => ({ label: PROFILE_LABELS[f], value: card.profile[f] as string })),
    };
  }

  iframe('/panel', async (ctx, { userAccountId }, req, res) => {
    const parsedId = contentId.safeParse(req.query.pageId);
    const pageId = parsedId.success ? parsedId.data : '';
    const [state, author] = await Promise.all([
      preferences.view(ctx, userAccountId),
      // The card is secondary: a page Keepsake cannot read still gets its panel.
      pageId ? authorCard(ctx, pageId, userAccountId).catch(() => 'unavailable' as const) : undefined,
    ]);
    const on = (set: 'bookmarks' | 'watches') => state[set].some((p) => p.contentId === pageId);
    res.render('panel', {
      ...page('panel.js', 'resize:false'),
      title: 'Keepsake',
      state,
      stateJson: embeddable(state),
      pageId,
      bookmarked: on('bookmarks'),
      watched: on('watches'),
      viewModes: VIEW_MODES.map((value) => ({ value, label: VIEW_MODE_LABELS[value], checked: state.viewMode === value })),
      tracking: (Object.keys(TRACKING_LABELS) as (keyof typeof TRACKING_LABELS)[]).map((key) => ({ key, label: TRACKING_LABELS[key], checked: state.tracking[key] })),
      author: author === 'unavailable' ? undefined : author,
      authorUnavailable: author === 'unavailable',
    });
  });

  iframe('/my-keepsake', async (ctx, { userAccountId, hostBaseUrl }, _req, res) => {
    const state = await preferences.view(ctx, userAccountId);
    const pageLink = (p: PreferencesView['bookmarks'][number]) => ({
      ...p,
      title: p.title || `Page ${p.contentId}`,
      href: `${hostBaseUrl}/pages/viewpage.action?pageId=${encodeURIComponent(p.contentId)}`,
      added: p.addedAt.slice(0, 10),
    });
    const fields = ctx.site.settings.profileFields;
    res.render('personal', {
      ...page('personal.js', 'sizeToParent:true'),
      title: 'My Keepsake',
      bookmarks: state.bookmarks.map(pageLink),
      watches: state.watches.map(pageLink),
      profileFields: PROFILE_FIELDS.filter((f) => fields[f].enabled).map((f) => ({
        name: f,
        label: PROFILE_LABELS[f],
        value: state.profile[f] ?? '',
        maxLength: PROFILE_FIELD_LIMITS[f],
        multiline: f === 'note',
        public: fields[f].public,
      })),
      tampered: state.tampered,
    });
  });

  iframe('/admin', async (ctx, { userAccountId }, _req, res) => {
    if (!(await isSiteAdmin(ctx.confluence, userAccountId))) {
      res.status(403).render('forbidden', {
        ...page(undefined, 'sizeToParent:true'),
        title: 'Keepsake settings',
        message: 'Only Confluence administrators can see or change Keepsake’s settings.',
      });
      return;
    }
    const settings = ctx.site.settings;
    const stats = await administration.stats(ctx);
    const reasons = Object.entries(stats.migrations.rejectedByCode);
    const maxReason = Math.max(1, ...reasons.map(([, n]) => n));
    res.render('admin', {
      ...page('admin.js', 'sizeToParent:true'),
      title: 'Keepsake settings',
      storage: stats.storage,
      modes: STORAGE_MODES.map((value) => ({ value, label: STORAGE_LABELS[value], selected: settings.mode === value })),
      viewModes: VIEW_MODES.map((value) => ({ value, label: VIEW_MODE_LABELS[value], selected: settings.defaults.viewMode === value })),
      defaults: settings.defaults,
      profileFields: PROFILE_FIELDS.map((f) => ({ name: f, label: PROFILE_LABELS[f], ...settings.profileFields[f] })),
      actAsUser: settings.actAsUser,
      stats,
      reasons: reasons.map(([code, count]) => ({ code, count, percent: Math.round((count / maxReason) * 100) })),
    });
  });
  return router;
}

/** JSON safe inside a <script> element: no `</script>` or `<!--` can close it early. */
function embeddable(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}
