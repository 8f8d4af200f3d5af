// Who made a REST call, as established by authentication; stored in res.locals.caller.
import type { Response } from 'express';
import type { Scope } from '../scopes';
import type { InstalledApp } from '../site';

/** jwt: the app itself · bearer: an app acting as a user (OAuth 2.0) · ap-request: AP.request
 *  from a user's iframe · basic: the admin on the UPM API · forge-system / forge-user: a Forge
 *  app system / user token (emulator/forge/app-tokens.ts) · none: no credentials. */
export type AuthKind = 'jwt' | 'bearer' | 'ap-request' | 'basic' | 'forge-system' | 'forge-user' | 'none';

export interface Caller {
  kind: AuthKind;
  app?: InstalledApp;
  /** The user the call acts as; absent for calls made as the app. */
  accountId?: string;
  scopes: Set<Scope>;
}

export function setCaller(res: Response, caller: Caller): void {
  res.locals.caller = caller;
}

export function findCaller(res: Response): Caller | undefined {
  return res.locals.caller as Caller | undefined;
}

/** The caller of an authenticated route (the auth middleware guarantees one). */
export function callerOf(res: Response): Caller {
  const caller = findCaller(res);
  if (!caller) throw new Error('route reached without authentication');
  return caller;
}
