// Who is signed in to the emulated site in this browser: a cookie holding the accountId and an
// HMAC of it (keyed with the site's token secret), so a page cannot be opened as someone else
// by editing the cookie. Real Confluence uses Atlassian account sessions; this stands in for them.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Account } from '../accounts';
import type { EmulatorContext } from '../emulator-context';
import { readCookie, siteCookieName } from './site-cookie';

export const SESSION_COOKIE = 'emulator.session';

function sessionCookie(ctx: EmulatorContext): string {
  return siteCookieName(ctx, SESSION_COOKIE);
}

function signature(ctx: EmulatorContext, accountId: string): string {
  return createHmac('sha256', ctx.site.tokenSecret).update(`session:${accountId}`).digest('base64url');
}

/** The signed-in account, or undefined (no cookie, a forged one, or a user that no longer exists). */
export function signedInAccount(ctx: EmulatorContext, req: Request): Account | undefined {
  const raw = readCookie(req, sessionCookie(ctx));
  const dot = raw?.lastIndexOf('.') ?? -1;
  if (!raw || dot <= 0) return undefined;
  const accountId = raw.slice(0, dot);
  const given = Buffer.from(raw.slice(dot + 1));
  const expected = Buffer.from(signature(ctx, accountId));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return ctx.site.findAccount(accountId);
}

export function signIn(ctx: EmulatorContext, res: Response, accountId: string): void {
  res.cookie(sessionCookie(ctx), `${accountId}.${signature(ctx, accountId)}`, { httpOnly: true, sameSite: 'lax', path: '/' });
}

export function signOut(ctx: EmulatorContext, res: Response): void {
  res.clearCookie(sessionCookie(ctx), { path: '/' });
}
