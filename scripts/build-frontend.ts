/**
 * `npm run build:frontend`: bundles the iframes' TypeScript (frontend/) and styles with esbuild
 * into public/build/ under content-hashed names, and writes public/build/manifest.json
 * ({"panel.js": "panel-HASH.js", …}) for the views (routes/asset-manifest.ts). Hashed names
 * let routes/assets.ts cache them for a year.
 *
 * Earlier bundles are kept, not deleted: during a rolling deploy or a dev rebuild, HTML that
 * still names an older hash must still get its file. The new bundles are written first and the
 * manifest last (written aside, then renamed over the old one), so a view never names a file
 * that is not there yet. public/build/ is git-ignored; clear it by hand when it grows.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { build } from 'esbuild';

const root = join(__dirname, '..');
const outdir = join(root, 'public', 'build');

export const ENTRY_POINTS = {
  panel: 'frontend/panel/panel.ts',
  personal: 'frontend/personal/personal.ts',
  admin: 'frontend/admin/admin.ts',
  keepsake: 'frontend/styles/keepsake.css',
};

export async function buildFrontend(): Promise<Record<string, string>> {
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: ENTRY_POINTS,
    bundle: true,
    minify: true,
    sourcemap: false,
    format: 'iife',
    target: ['chrome110', 'firefox110', 'safari16'],
    outdir,
    entryNames: '[name]-[hash]',
    metafile: true,
    logLevel: 'warning',
  });
  const manifest: Record<string, string> = {};
  for (const [output, meta] of Object.entries(result.metafile.outputs)) {
    if (!meta.entryPoint) continue;
    const name = basename(output);
    const logical = `${name.replace(/-[A-Z0-9]+\.(js|css)$/, '')}.${name.endsWith('.css') ? 'css' : 'js'}`;
    manifest[logical] = name;
  }
  const pending = join(outdir, `manifest.json.${process.pid}.tmp`);
  writeFileSync(pending, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(pending, join(outdir, 'manifest.json'));
  return manifest;
}

if (require.main === module) {
  buildFrontend().then(
    (manifest) => {
      for (const [name, file] of Object.entries(manifest)) process.stdout.write(`${name} → ${relative(root, join(outdir, file))}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`The front-end build failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
