/** The environment of the development Keepsake: the developer's, minus what must not leak in. */

// NODE_ENV=development makes ACE lose register() (docs/platform-facts.md §10) and production needs
// Postgres; development runs on the sqlite file whatever database the shell points at; and the
// emulator's endpoints are set by `npm run dev` only, never carried into the tunnel.
const LEFT_OUT = ['NODE_ENV', 'DATABASE_URL', 'AC_HOST_SCRIPT_URL', 'CONNECT_KEYS_CDN_URL', 'KEEPSAKE_OAUTH_SERVER_URL'];

/** `alsoLeftOut`: more of the developer's variables to drop (the emulator loop drops AC_LOCAL_BASE_URL). */
export function keepsakeEnvironment(
  settings: Record<string, string>,
  alsoLeftOut: string[] = [],
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const name of [...LEFT_OUT, ...alsoLeftOut]) delete env[name];
  return { ...env, ...settings };
}
