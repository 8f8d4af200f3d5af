/**
 * The Forge side of the platform seam: a call Forge makes to Keepsake as its remote (a
 * scheduled trigger today) is authenticated by its Forge Invocation Token, and its site is the
 * one whose Connect-on-Forge `installed` event named the token's installation
 * (InstallRecords.clientKeyOf). Leaves who and where in `res.locals.forge` for the route.
 */
import type { RequestHandler } from 'express';
import { KeepsakeError } from '../../lib/errors';
import type { InstallRecords } from '../../lib/sites/install-records';
import { ForgeInvocationTokens, type ForgeInvocation } from './forge-invocation-token';

export interface ForgeCall {
  clientKey: string;
  invocation: ForgeInvocation;
}

export function authenticateForgeInvocation(options: { appId: string; jwksUrl: string; installRecords: InstallRecords }): RequestHandler {
  const tokens = new ForgeInvocationTokens(options.appId, options.jwksUrl);
  return (req, res, next) => {
    tokens
      .verify(req.headers.authorization)
      .then(async (invocation) => {
        const clientKey = await options.installRecords.clientKeyOf(invocation.installationId);
        if (!clientKey) {
          throw new KeepsakeError(
            'SITE_NOT_INSTALLED',
            'Keepsake knows no site for this Forge installation: its installed event never reached Keepsake. Reinstall the app on the site.',
          );
        }
        res.locals.forge = { clientKey, invocation } satisfies ForgeCall;
        next();
      })
      .catch(next);
  };
}
