// Which authentication an installed app declared in its descriptor: `{"type": "jwt"}` (the
// default of the Connect schema) or `{"type": "none"}`. An app with "none" is never given a
// sharedSecret and its iframe URLs carry no JWT (docs/emulator.md, "authentication none").
import type { InstalledApp } from '../site';

export function usesJwt(app: Pick<InstalledApp, 'descriptor'>): boolean {
  const auth = app.descriptor.authentication as { type?: unknown } | undefined;
  return typeof auth?.type !== 'string' || auth.type.toLowerCase() !== 'none';
}
