// Connect scopes are checked per endpoint; a missing scope is a 403.
import { HttpError } from '../errors';
import type { Scope } from '../scopes';
import type { Caller } from './caller';

export function requireScope(caller: Caller, scope: Scope): void {
  if (caller.scopes.has(scope)) return;
  const who = caller.app ? `The app ${caller.app.key}` : 'The caller';
  const how = caller.kind === 'bearer' ? ' (for this access token)' : '';
  throw new HttpError(403, `${who} does not have the ${scope} scope${how} that this operation requires`);
}
