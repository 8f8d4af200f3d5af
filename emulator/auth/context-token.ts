// The context JWT a user's iframe of an app gets from AP.context.getToken() (docs/platform-facts.md
// §3): HS256 with the install's sharedSecret, iss = clientKey, sub = accountId, qsh the literal
// "context-qsh", exp = iat + contextTokenTtlSeconds, and a `context` claim.
import type { EmulatorContext } from '../emulator-context';
import type { InstalledApp, JsonObject } from '../site';
import { nowInSeconds, signHs256 } from './hs256-jwt';

export function mintContextToken(ctx: EmulatorContext, app: InstalledApp, accountId: string, context: JsonObject = {}): string {
  const iat = nowInSeconds();
  return signHs256(
    { iss: app.clientKey, sub: accountId, qsh: 'context-qsh', iat, exp: iat + ctx.settings.contextTokenTtlSeconds, context },
    app.sharedSecret,
  );
}
