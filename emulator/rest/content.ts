// Enough content for an app to show where it is: spaces and pages by id (REST v1 shapes,
// trimmed to the default expansions space, history and version). All need READ.
import { Router, type Request } from 'express';
import { callerOf } from '../auth/caller';
import { requireScope } from '../auth/require-scope';
import { SEEDED_SPACES, type Page, type Space } from '../content-seed';
import type { EmulatorContext } from '../emulator-context';
import { HttpError } from '../errors';
import { isJsonObject, parseJsonBody } from './json-body';
import { linksFor } from './links';
import { tinyLinkCode } from './tiny-link';
import { accountJson } from './user-json';

/** The expansions asked for (`expand=body.storage,body.view`), as a set of dot paths. */
function expansions(req: Request): Set<string> {
  const raw = req.query.expand;
  const list = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
  return new Set(
    list
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter(Boolean),
  );
}

const BODY_REPRESENTATIONS = ['storage', 'view'] as const;
const OTHER_BODY_REPRESENTATIONS = [
  'editor',
  'view',
  'export_view',
  'styled_view',
  'dynamic',
  'storage',
  'editor2',
  'anonymous_export_view',
  'atlas_doc_format',
];

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The seeded pages hold one paragraph naming the page (content assumed). Without macros the
 *  view representation is the same XHTML (assumed: the emulator renders no macros). */
function pageBodyXhtml(page: Page): string {
  return `<p>${escapeXml(page.title)}</p>`;
}

function pagingParam(req: Request, name: string, fallback: number, max: number): number {
  const raw = req.query[name];
  if (raw === undefined || raw === '') return fallback;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw)) throw new HttpError(400, `The query parameter ${name} must be a non-negative integer`);
  return Math.min(Number(raw), max);
}

export function contentRouter(ctx: EmulatorContext): Router {
  const router = Router();

  function spaceJson(space: Space): object {
    return {
      id: space.id,
      key: space.key,
      name: space.name,
      type: 'global',
      status: 'current',
      _expandable: {
        settings: '',
        metadata: '',
        operations: '',
        lookAndFeel: '',
        permissions: '',
        icon: '',
        description: '',
        theme: '',
        history: '',
        homepage: '',
      },
      _links: { webui: `/spaces/${space.key}`, self: `${ctx.urls.siteUrl}/rest/api/space/${space.key}` },
    };
  }

  function authorJson(accountId: string): object {
    const account = ctx.site.findAccount(accountId);
    return account ? accountJson(ctx.urls, account) : { type: 'unknown', accountId, displayName: 'Unknown user' };
  }

  /** `body` with the representations asked for (`body.storage`, `body.view`), REST v1's shape:
   *  `{storage: {value, representation: "storage", embeddedContent: [], _expandable}, _expandable}`. */
  function bodyJson(page: Page, expand: Set<string>): object | undefined {
    const wanted = BODY_REPRESENTATIONS.filter((r) => expand.has(`body.${r}`));
    if (wanted.length === 0) return undefined;
    const body: Record<string, unknown> = {};
    for (const representation of wanted) {
      body[representation] = {
        value: pageBodyXhtml(page),
        representation,
        embeddedContent: [],
        _expandable: { content: `/rest/api/content/${page.id}` },
      };
    }
    body._expandable = Object.fromEntries(
      OTHER_BODY_REPRESENTATIONS.filter((r) => !(wanted as readonly string[]).includes(r)).map((r) => [r, '']),
    );
    return body;
  }

  function pageJson(page: Page, expand: Set<string> = new Set()): object {
    const body = bodyJson(page, expand);
    const space = SEEDED_SPACES.find((s) => s.key === page.spaceKey);
    const slug = encodeURIComponent(page.title).replace(/%20/g, '+');
    return {
      id: page.id,
      type: 'page',
      status: 'current',
      title: page.title,
      space: space ? spaceJson(space) : undefined,
      history: {
        latest: true,
        createdBy: authorJson(page.authorAccountId),
        createdDate: page.createdDate,
        _expandable: { lastUpdated: '', previousVersion: '', contributors: '', nextVersion: '' },
        _links: { self: `${ctx.urls.siteUrl}/rest/api/content/${page.id}/history` },
      },
      version: {
        by: authorJson(page.authorAccountId),
        when: page.createdDate,
        friendlyWhen: page.createdDate,
        message: '',
        number: 1,
        minorEdit: false,
        _links: { self: `${ctx.urls.siteUrl}/rest/api/content/${page.id}/version/1` },
      },
      ...(body ? { body } : {}),
      _expandable: {
        childTypes: '',
        container: `/rest/api/space/${page.spaceKey}`,
        metadata: '',
        operations: '',
        children: '',
        restrictions: '',
        ancestors: '',
        ...(body ? {} : { body: '' }),
        descendants: '',
      },
      _links: linksFor(ctx.urls, `/rest/api/content/${page.id}`, {
        webui: `/spaces/${page.spaceKey}/pages/${page.id}/${slug}`,
        edit: `/pages/resumedraft.action?draftId=${page.id}`,
        tinyui: `/x/${tinyLinkCode(page.id)}`,
        collection: '/rest/api/content',
      }),
    };
  }

  /** Whether the user may read the page: its view restriction, site admins always. */
  function canRead(page: Page, accountId: string): boolean {
    return !page.viewers || page.viewers.includes(accountId) || ctx.site.findAccount(accountId)?.siteAdmin === true;
  }

  function findReadable(req: Request, res: Parameters<typeof callerOf>[0]): Page {
    const caller = callerOf(res);
    const page = ctx.site.findPage(req.params.id);
    // A page the caller may not read answers as one that does not exist (as Confluence does).
    if (!page || (caller.accountId !== undefined && !canRead(page, caller.accountId))) {
      throw new HttpError(404, `No content found with id: ContentId{id=${req.params.id}}`);
    }
    return page;
  }

  router.get('/api/content/:id', (req, res) => {
    requireScope(callerOf(res), 'READ');
    res.json(pageJson(findReadable(req, res), expansions(req)));
  });

  // POST /rest/api/content/{id}/permission/check {subject: {type: "user", identifier}, operation}
  // → {hasPermission, errors}; only "read" is modelled (view restrictions).
  router.post('/api/content/:id/permission/check', (req, res) => {
    requireScope(callerOf(res), 'READ');
    const page = findReadable(req, res);
    const body = parseJsonBody(req);
    const subject = isJsonObject(body) && isJsonObject(body.subject) ? body.subject : undefined;
    if (
      !subject ||
      subject.type !== 'user' ||
      typeof subject.identifier !== 'string' ||
      !isJsonObject(body) ||
      typeof body.operation !== 'string'
    ) {
      throw new HttpError(400, 'The body must be {"subject": {"type": "user", "identifier": "<accountId>"}, "operation": "read"}');
    }
    if (!ctx.site.findAccount(subject.identifier)) throw new HttpError(404, `No user with accountId ${subject.identifier}`);
    if (body.operation !== 'read') throw new HttpError(400, `Only the operation "read" is emulated; it was "${body.operation}"`);
    res.json({ hasPermission: canRead(page, subject.identifier), errors: [] });
  });

  router.get('/api/content', (req, res) => {
    requireScope(callerOf(res), 'READ');
    const spaceKey = typeof req.query.spaceKey === 'string' ? req.query.spaceKey : undefined;
    const type = typeof req.query.type === 'string' ? req.query.type : 'page';
    const start = pagingParam(req, 'start', 0, Number.MAX_SAFE_INTEGER);
    const limit = pagingParam(req, 'limit', 25, 100);
    const caller = callerOf(res);
    const readable = (p: Page) => caller.accountId === undefined || canRead(p, caller.accountId);
    const matching =
      type === 'page' ? ctx.site.listPages().filter((p) => (spaceKey === undefined || p.spaceKey === spaceKey) && readable(p)) : [];
    const page = matching.slice(start, start + limit);
    res.json({
      results: page.map((p) => pageJson(p, expansions(req))),
      start,
      limit,
      size: page.length,
      _links: linksFor(ctx.urls, '/rest/api/content'),
    });
  });

  router.get('/api/space', (req, res) => {
    requireScope(callerOf(res), 'READ');
    const start = pagingParam(req, 'start', 0, Number.MAX_SAFE_INTEGER);
    const limit = pagingParam(req, 'limit', 25, 250);
    const page = SEEDED_SPACES.slice(start, start + limit);
    res.json({ results: page.map(spaceJson), start, limit, size: page.length, _links: linksFor(ctx.urls, '/rest/api/space') });
  });

  router.get('/api/space/:key', (req, res) => {
    requireScope(callerOf(res), 'READ');
    const space = SEEDED_SPACES.find((s) => s.key === req.params.key);
    if (!space) throw new HttpError(404, `No space with key : ${req.params.key}`);
    res.json(spaceJson(space));
  });

  return router;
}
