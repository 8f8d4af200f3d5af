/**
 * `npm run dev:tunnel`: Keepsake on a real Confluence Cloud developer site, through a tunnel to
 * this machine (docs/development.md).
 *
 *   npm run dev:tunnel                 Connect on Forge: the manifest with its remote at the
 *                                      tunnel, `forge deploy` and `forge install` (scripts/dev/forge-tunnel.ts)
 *   npm run dev:tunnel -- --connect    the descriptor-URL install through the site's UPM (ACE's
 *                                      register()), only for sites that still allow it: Atlassian
 *                                      blocks it for private Connect apps since 2026-03-31
 *                                      (scripts/dev/connect-tunnel.ts)
 *
 * Options: --credentials FILE (default credentials.json), --no-watch. Set AC_LOCAL_BASE_URL to
 * the https URL of a tunnel you run yourself and ngrok is not used.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runConnectLoop } from './dev/connect-tunnel';
import { runForgeLoop } from './dev/forge-tunnel';

const root = join(__dirname, '..');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      connect: { type: 'boolean', default: false },
      credentials: { type: 'string' },
      'no-watch': { type: 'boolean', default: false },
    },
  });
  const options = { root, credentialsFile: resolve(values.credentials ?? join(root, 'credentials.json')), watch: !values['no-watch'] };
  await (values.connect ? runConnectLoop(options) : runForgeLoop(options));
}

main().catch((error: unknown) => {
  process.stderr.write(`[dev:tunnel] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
