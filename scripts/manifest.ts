/**
 * `npm run manifest`: writes manifest.yml from atlassian-connect.json and
 * scripts/manifest/forge-template.ts, then validates it with Atlassian's @forge/manifest.
 *
 *   npm run manifest                 write manifest.yml (exit 1 if @forge/manifest refuses it)
 *   npm run manifest -- --check      exit 1, saying what differs, when manifest.yml is not what
 *                                    would be written; nothing is written
 *   --file PATH                      another manifest file than the top-level manifest.yml
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ManifestSourceError, MANIFEST_PATH, renderManifest } from './manifest/generate';
import { checkManifestText, describeDifference, validateManifestFile } from './manifest/check';

interface Options {
  check: boolean;
  file: string;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { check: false, file: MANIFEST_PATH };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--check') options.check = true;
    else if (arg === '--file' && argv[i + 1]) options.file = argv[++i];
    else throw new ManifestSourceError(`unknown argument ${arg}; usage: npm run manifest [-- --check] [--file PATH]`);
  }
  return options;
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const shown = relative(process.cwd(), options.file) || options.file;
  const expected = renderManifest();
  if (options.check) {
    const actual = existsSync(options.file) ? readFileSync(options.file, 'utf8') : undefined;
    const result = checkManifestText(actual, expected);
    if (result.upToDate) {
      console.log(`${shown} is up to date with atlassian-connect.json and scripts/manifest/forge-template.ts`);
      return 0;
    }
    if (actual === undefined) {
      console.error(`${shown} does not exist: run \`npm run manifest\` and commit it`);
      return 1;
    }
    console.error(
      `${shown} is out of date: it is not what \`npm run manifest\` generates from atlassian-connect.json ` +
        `and scripts/manifest/forge-template.ts. Run \`npm run manifest\` and commit manifest.yml ` +
        `(edit those two sources, never manifest.yml itself).\n${describeDifference(actual, expected)}`,
    );
    return 1;
  }
  writeFileSync(options.file, expected);
  const errors = await validateManifestFile(options.file);
  if (errors.length > 0) {
    console.error(`wrote ${shown}, but @forge/manifest refuses it:\n${errors.map((e) => `  ${e}`).join('\n')}`);
    return 1;
  }
  console.log(`wrote ${shown}; @forge/manifest validates it`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof ManifestSourceError ? `npm run manifest: ${err.message}` : err);
    process.exitCode = 1;
  },
);
