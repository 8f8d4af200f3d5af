// The part of the Universal Plugin Manager (UPM) REST API that ACE's `addon.register()` drives
// (node_modules/atlassian-connect-express/lib/internal/registration/register-jira-conf.js):
//   GET    /wiki/rest/plugins/1.0/settings         development mode (connectDeveloperListingsEnabled)
//   GET    /wiki/rest/plugins/1.0/                 installed apps, plus an `upm-token` header
//   POST   /wiki/rest/plugins/1.0/?token=…         {"pluginUri"} → 202 with a pending task
//   GET    /wiki/rest/plugins/1.0/pending/{id}     task; 303 to the app when done; errorMessage on failure
//   GET    /wiki/rest/plugins/1.0/{appKey}-key     an installed app
//   DELETE /wiki/rest/plugins/1.0/{appKey}-key     uninstall
import { randomBytes, randomUUID } from 'node:crypto';
import { Router, type Response } from 'express';
import type { EmulatorContext } from '../emulator-context';
import { HttpError, sendError } from '../errors';
import { isJsonObject, parseJsonBody } from '../rest/json-body';
import type { InstalledApp } from '../site';
import { InstallError, installApp, uninstallApp } from './lifecycle';

const UPM_PATH = '/wiki/rest/plugins/1.0';

interface InstallTask {
  id: string;
  pluginUri: string;
  timestamp: number;
  state: 'running' | 'done' | 'failed';
  appKey?: string;
  errorMessage?: string;
}

function sendJson(res: Response, status: number, contentType: string, body: object): void {
  res.status(status).type(contentType).send(JSON.stringify(body));
}

export function upmRouter(ctx: EmulatorContext): Router {
  const router = Router();
  const tasks = new Map<string, InstallTask>();
  /** upm-tokens are single use: each GET of the plugin list hands out one for the next POST. */
  const tokens = new Set<string>();

  const pluginPath = (key: string): string => `${UPM_PATH}/${encodeURIComponent(key)}-key`;

  function pluginJson(app: InstalledApp): object {
    return {
      key: app.key,
      name: app.name,
      enabled: true,
      userInstalled: true,
      optional: true,
      static: false,
      unloadable: false,
      version: '1.0.0',
      description: typeof app.descriptor.description === 'string' ? app.descriptor.description : '',
      links: { self: pluginPath(app.key), delete: pluginPath(app.key), modify: pluginPath(app.key) },
    };
  }

  function taskJson(task: InstallTask): object {
    const status =
      task.state === 'failed'
        ? {
            done: true,
            statusCode: 200,
            contentType: 'application/vnd.atl.plugins.install.err+json',
            errorMessage: task.errorMessage,
            source: task.pluginUri,
            name: task.pluginUri,
          }
        : {
            done: task.state === 'done',
            statusCode: 200,
            contentType: 'application/vnd.atl.plugins.install.installing+json',
            source: task.pluginUri,
            name: task.pluginUri,
          };
    return {
      type: 'INSTALL',
      pingAfter: ctx.settings.upmPingAfterMs,
      status,
      links: { self: `${UPM_PATH}/pending/${task.id}`, alternate: `${UPM_PATH}/tasks/${task.id}` },
      timestamp: task.timestamp,
      userKey: 'admin',
      id: task.id,
    };
  }

  router.get('/settings', (_req, res) => {
    sendJson(res, 200, 'application/vnd.atl.plugins+json', {
      settings: [
        {
          key: 'connectDeveloperListingsEnabled',
          value: ctx.settings.developmentMode,
          defaultCheckedValue: false,
          requiresRefresh: false,
          readOnly: false,
        },
      ],
      links: { self: `${UPM_PATH}/settings` },
    });
  });

  router.get('/', (_req, res) => {
    const token = randomBytes(16).toString('hex');
    tokens.add(token);
    res.set('upm-token', token);
    const plugins = ctx.site
      .listApps()
      .filter((a) => a.status === 'installed')
      .map(pluginJson);
    sendJson(res, 200, 'application/vnd.atl.plugins.installed+json', { plugins, links: { self: `${UPM_PATH}/` } });
  });

  router.post('/', (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    if (!tokens.delete(token))
      throw new HttpError(403, 'Missing or used upm-token: GET /rest/plugins/1.0/ first and send its upm-token header value as ?token=');
    const body = parseJsonBody(req);
    if (!isJsonObject(body) || typeof body.pluginUri !== 'string' || body.pluginUri === '') {
      throw new HttpError(400, 'The body must be {"pluginUri": "<URL of the app descriptor>"}');
    }
    const task: InstallTask = { id: randomUUID(), pluginUri: body.pluginUri, timestamp: Date.now(), state: 'running' };
    tasks.set(task.id, task);
    installApp(ctx, task.pluginUri).then(
      (app) => {
        task.state = 'done';
        task.appKey = app.key;
      },
      (err: unknown) => {
        task.state = 'failed';
        task.errorMessage = err instanceof InstallError ? err.message : 'The install failed inside the emulator';
        if (!(err instanceof InstallError)) ctx.logger.error({ err }, 'install failed');
        ctx.logger.warn({ pluginUri: task.pluginUri, reason: task.errorMessage }, 'app install failed');
      },
    );
    sendJson(res, 202, 'application/vnd.atl.plugins.pending-task+json', taskJson(task));
  });

  router.get('/pending/:id', (req, res) => {
    const task = tasks.get(req.params.id);
    if (!task) throw new HttpError(404, `No install task ${req.params.id}`);
    if (task.state === 'done' && task.appKey) {
      res.status(303).location(pluginPath(task.appKey)).end();
      return;
    }
    sendJson(res, 200, 'application/vnd.atl.plugins.pending-task+json', taskJson(task));
  });

  /** `{appKey}-key` is UPM's name for a Connect app's plugin. */
  function appKeyOfPluginParam(param: string): string {
    if (!param.endsWith('-key')) throw new HttpError(404, `No plugin ${param}`);
    return param.slice(0, -'-key'.length);
  }

  router.get('/:plugin', (req, res) => {
    const app = ctx.site.installedApp(appKeyOfPluginParam(req.params.plugin));
    if (!app) throw new HttpError(404, `No installed app ${req.params.plugin}`);
    sendJson(res, 200, 'application/vnd.atl.plugins.plugin+json', pluginJson(app));
  });

  router.delete('/:plugin', (req, res, next) => {
    const appKey = appKeyOfPluginParam(req.params.plugin);
    uninstallApp(ctx, appKey).then((removed) => {
      if (removed) res.status(204).end();
      else sendError(req, res, 404, `No installed app ${req.params.plugin}`);
    }, next);
  });

  return router;
}
