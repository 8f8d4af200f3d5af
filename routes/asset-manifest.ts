/**
 * Where the built front-end files are: public/build/manifest.json maps a logical name
 * (`panel.js`) to its content-hashed file. Read again whenever the file changes, so a rebuild
 * during development is picked up without a restart.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export class AssetManifest {
  private entries: Record<string, string> = {};
  private loadedMtimeMs = -1;

  constructor(private readonly file = join(process.cwd(), 'public', 'build', 'manifest.json')) {}

  /** The URL of a built file, e.g. url('panel.js') → /public/build/panel-3F2A….js */
  url(name: string): string {
    this.refresh();
    const file = this.entries[name];
    if (!file) throw new Error(`No built front-end file "${name}" in ${this.file}; run \`npm run build:frontend\`.`);
    return `/public/build/${file}`;
  }

  private refresh(): void {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(this.file).mtimeMs;
    } catch {
      throw new Error(`The front-end has not been built (${this.file} is missing); run \`npm run build:frontend\`.`);
    }
    if (mtimeMs === this.loadedMtimeMs) return;
    this.entries = JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, string>;
    this.loadedMtimeMs = mtimeMs;
  }
}
