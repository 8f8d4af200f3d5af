// The iframe modules an installed app declares in its descriptor (docs/platform-facts.md §9):
// web panels (by location), general pages, the configure page and admin pages.
import type { InstalledApp, JsonObject } from '../site';

export type ModuleType = 'webPanels' | 'generalPages' | 'configurePage' | 'adminPages';

export interface IframeModule {
  app: InstalledApp;
  type: ModuleType;
  key: string;
  name: string;
  /** Relative to the app's baseUrl, with context variables such as {page.id} still in it. */
  url: string;
  location?: string;
  weight: number;
  /** Web panels: the height the descriptor asks for (e.g. "140px"). */
  height?: string;
  conditions: unknown[];
}

const TYPES: ModuleType[] = ['webPanels', 'generalPages', 'configurePage', 'adminPages'];

function asList(value: unknown): JsonObject[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((m): m is JsonObject => typeof m === 'object' && m !== null && !Array.isArray(m));
}

function moduleName(module: JsonObject): string {
  const name = module.name as { value?: unknown } | undefined;
  return typeof name?.value === 'string' ? name.value : String(module.key);
}

export function iframeModules(app: InstalledApp): IframeModule[] {
  const modules = (app.descriptor.modules ?? {}) as JsonObject;
  return TYPES.flatMap((type) =>
    asList(modules[type]).map((m) => ({
      app,
      type,
      key: String(m.key),
      name: moduleName(m),
      url: String(m.url ?? ''),
      location: typeof m.location === 'string' ? m.location : undefined,
      weight: typeof m.weight === 'number' ? m.weight : 100,
      height: typeof (m.layout as JsonObject | undefined)?.height === 'string' ? String((m.layout as JsonObject).height) : undefined,
      conditions: Array.isArray(m.conditions) ? m.conditions : [],
    })),
  );
}

/** Every installed app's modules of one type (and location), in the order Confluence shows them. */
export function installedModules(apps: InstalledApp[], type: ModuleType, location?: string): IframeModule[] {
  return apps
    .filter((a) => a.status === 'installed')
    .flatMap(iframeModules)
    .filter((m) => m.type === type && (location === undefined || m.location === location))
    .sort((a, b) => a.weight - b.weight);
}

export function findModule(app: InstalledApp, moduleKey: string): IframeModule | undefined {
  return iframeModules(app).find((m) => m.key === moduleKey);
}
