/**
 * Keepsake's settings, all from environment variables, parsed once at start-up. The README's
 * settings table documents each one; the defaults are the embedded development setup.
 */
import { z } from 'zod';
import { parseDataKey } from './secrets/data-cipher';

const positiveInt = z.coerce.number().int().positive();

const DATA_KEY_FORMAT = 'a data key is 32 random bytes in base64 (`openssl rand -base64 32`); older keys are separated by commas';

/** Whether every key in a comma-separated list (at most `max` of them) is a data key; empty is unset. */
function validKeys(max: number) {
  return (list: string | undefined): boolean => {
    const keys = (list ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean);
    try {
      keys.forEach(parseDataKey);
      return keys.length <= max;
    } catch {
      return false;
    }
  };
}

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
   * is not documented (docs/platform-facts.md §1); keep this at or below it. Larger sets spill
   * into more properties.
   */
  KEEPSAKE_MAX_RECORD_CHARS: z.coerce.number().int().min(2048).default(32_768),
  /** Largest JSON body accepted. */
  KEEPSAKE_BODY_LIMIT: z.string().default('100kb'),
  /** Time allowed for one request to Keepsake before it answers 503. */
  KEEPSAKE_REQUEST_TIMEOUT_MS: positiveInt.default(30_000),
  KEEPSAKE_MAX_QUEUED_WRITES: positiveInt.default(32),
  KEEPSAKE_MEMORY_CACHE_MB: positiveInt.default(64),
  /**
   * How often each instance looks for sites whose personal-data reporting cycle is due (the
   * cycle itself runs as often as Atlassian's Cycle-Period says); 0 turns the timer off, as
   * when Forge's daily trigger runs it (docs/privacy.md).
   */
  KEEPSAKE_REPORTING_CHECK_SECONDS: z.coerce.number().int().min(0).default(3600),
  /**
   * How often each instance looks for storage moves no live instance runs (one whose instance
   * stopped or crashed is taken over here once its lease lapses); 0 turns the timer off, and
   * moves start only when an admin asks and at start-up (docs/deployment.md).
   */
  KEEPSAKE_MOVE_CHECK_SECONDS: z.coerce.number().int().min(0).default(60),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * The key secrets are encrypted with in the database (lib/secrets/data-cipher.ts): 32 random
   * bytes in base64. Required in production; in development generated into `.data/data-key`.
   */
  KEEPSAKE_DATA_KEY: z.string().optional().refine(validKeys(1), DATA_KEY_FORMAT),
  /** Comma-separated older data keys, still accepted for reading (key rotation). */
  KEEPSAKE_DATA_KEY_PREVIOUS: z.string().optional().refine(validKeys(Infinity), DATA_KEY_FORMAT),
  /** ACE's own switches, which ACE reads from the environment itself; checked here (production refuses `no-auth`). */
  AC_OPTS: z.string().optional(),
  /** Where ACE fetches the public keys of signed installs (read by ACE itself); Atlassian's key server unless pointed at the emulator. */
  CONNECT_KEYS_CDN_URL: z.url().optional(),
  /** ACE's store prefers this to the URL Keepsake gives it; allowed only when it is DATABASE_URL. */
  DB_URL: z.string().optional(),
  /**
   * The Forge app's id (`ari:cloud:ecosystem::app/<uuid>` or the uuid), from `forge register`
   * (manifest.yml's app.id): the audience of Forge invocation tokens. Unset: Keepsake answers
   * no Forge invocation (docs/forge.md).
   */
  KEEPSAKE_FORGE_APP_ID: z
    .string()
    .regex(/^(ari:cloud:ecosystem::app\/)?[0-9a-f-]{36}$/, 'a Forge app id: ari:cloud:ecosystem::app/<uuid> or the uuid')
    .optional(),
  /** Where Forge publishes the keys of its invocation tokens; the emulator's in development. */
  KEEPSAKE_FORGE_JWKS_URL: z.url().default('https://forge.cdn.prod.atlassian-dev.net/.well-known/jwks.json'),
});

export type Settings = z.infer<typeof schema>;

/** Settings Keepsake cannot start with; the message says why. */
export class SettingsError extends Error {
  override name = 'SettingsError';
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new SettingsError(`Invalid settings in the environment:\n  ${problems.join('\n  ')}`);
  }
  const settings = parsed.data;
  if (settings.DB_URL && settings.DB_URL !== settings.DATABASE_URL) {
    throw new SettingsError(
      'Keepsake refuses to start with DB_URL set to something other than DATABASE_URL: ACE would keep its tables and Keepsake its own in the database DB_URL names, while locks and change notices use DATABASE_URL. Unset DB_URL.',
    );
  }
  if (settings.NODE_ENV === 'production') {
    const missing = productionRequirements.filter((r) => !settings[r.name]).map((r) => `${r.name}: ${r.why}`);
    const refused = refusedAceOptions.filter((o) => o.pattern.test(settings.AC_OPTS ?? '')).map((o) => `${o.option}: ${o.why}`);
    const reasons = [
      ...(missing.length ? [`without:\n  ${missing.join('\n  ')}`] : []),
      ...(refused.length ? [`with AC_OPTS=${settings.AC_OPTS}, whose\n  ${refused.join('\n  ')}`] : []),
    ];
    if (reasons.length) throw new SettingsError(`Keepsake refuses to start with NODE_ENV=production ${reasons.join('\nand ')}`);
  }
  return settings;
}

/** ACE's AC_OPTS switches that turn its checks off, matched the way ACE matches them (a substring). */
const refusedAceOptions: { option: string; pattern: RegExp; why: string }[] = [
  {
    option: 'no-auth',
    pattern: /no-auth/,
    why: "switches off ACE's checks of request JWTs and of signed installs: anyone could install Keepsake as any site, replace a site's shared secret, and call the iframes as any user.",
  },
  {
    option: 'no-token-verfication',
    pattern: /no-token-verfication/,
    why: "(ACE's spelling) switches off ACE's context-token check.",
  },
];

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
  {
    name: 'KEEPSAKE_DATA_KEY',
    why: 'the key that encrypts shared secrets, OAuth tokens, site keys and cached preferences in the database (32 random bytes in base64: `openssl rand -base64 32`). Without it a copy of the database would give away every site.',
  },
];
