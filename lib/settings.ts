/**
 * Keepsake's settings, all from environment variables, parsed once at start-up. The README's
 * settings table documents each one; the defaults are the embedded development setup.
 */
import { z } from 'zod';

const positiveInt = z.coerce.number().int().positive();

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** The URL Confluence reaches the app at (the descriptor's baseUrl). */
  AC_LOCAL_BASE_URL: z.url().optional(),
  /** Postgres connection string; when unset, a sqlite file is used. */
  DATABASE_URL: z.string().optional(),
  SQLITE_PATH: z.string().default('.data/keepsake.sqlite'),
  /** Comma-separated host globs allowed to install the app (ACE's whitelist). */
  AC_HOST_WHITELIST: z.string().optional(),
  /** Where iframes load Atlassian's Connect JS from; the emulator serves its own copy. */
  AC_HOST_SCRIPT_URL: z.url().optional(),
  /** The OAuth 2.0 token server for acting as a user; Atlassian's unless pointed at the emulator. */
  KEEPSAKE_OAUTH_SERVER_URL: z.url().optional(),
  /** How old a cached copy of a user's preferences may be before a page view re-reads Confluence. */
  KEEPSAKE_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).default(300),
  /** Time allowed for one call to Confluence. */
  KEEPSAKE_CONFLUENCE_TIMEOUT_MS: positiveInt.default(10_000),
  /** Attempts per call to Confluence, the first included (retries only where safe). */
  KEEPSAKE_CONFLUENCE_ATTEMPTS: positiveInt.default(3),
  /** The longest Retry-After Keepsake waits out itself; longer ones are passed to the client. */
  KEEPSAKE_MAX_RETRY_WAIT_SECONDS: z.coerce.number().min(0).default(5),
  /**
   * The largest property value Keepsake writes, in characters of JSON. Confluence's real limit
   * is not documented (confluence-facts.md §1); keep this at or below it. Larger sets spill
   * into more properties.
   */
  KEEPSAKE_MAX_RECORD_CHARS: z.coerce.number().int().min(2048).default(32_768),
  /** Largest JSON body accepted. */
  KEEPSAKE_BODY_LIMIT: z.string().default('100kb'),
  /** Time allowed for one request to Keepsake before it answers 503. */
  KEEPSAKE_REQUEST_TIMEOUT_MS: positiveInt.default(30_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Settings = z.infer<typeof schema>;

export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid settings in the environment:\n  ${problems.join('\n  ')}`);
  }
  const settings = parsed.data;
  if (settings.NODE_ENV === 'production') {
    const missing = productionRequirements.filter((r) => !settings[r.name]).map((r) => `${r.name}: ${r.why}`);
    if (missing.length) throw new Error(`Keepsake refuses to start with NODE_ENV=production without:\n  ${missing.join('\n  ')}`);
  }
  return settings;
}

/** What production cannot do without; development falls back to a sqlite file and localhost. */
const productionRequirements: { name: keyof Settings; why: string }[] = [
  {
    name: 'DATABASE_URL',
    why: 'the Postgres connection string. Instances share one database; a sqlite file would give each instance its own data.',
  },
  {
    name: 'AC_LOCAL_BASE_URL',
    why: "the public https URL Confluence reaches Keepsake at (the descriptor's baseUrl), e.g. https://keepsake.example.com.",
  },
];
