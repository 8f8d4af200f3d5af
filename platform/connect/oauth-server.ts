/**
 * ACE hard-codes Atlassian's OAuth 2.0 token server for acting as a user; its one seam is
 * `getAuthorizationServer` in lib/internal/oauth2.js (docs/platform-facts.md §10). Pointing it
 * elsewhere (the emulator) is a process-wide change, made at start-up and undone at close.
 * The emulator's conformance suite (test/support/ace-test-app.ts) routes its sites through
 * the same seam.
 */
interface OAuth2Prototype {
  getAuthorizationServer: (this: unknown, hostBaseUrl: string) => string;
}

/** Every site's token requests go to `url`. Returns the undo. */
export function pointOAuthServerAt(url: string): () => void {
  const origin = url.replace(/\/$/, '');
  return routeOAuthServer(() => origin);
}

/**
 * A site's token requests go to the server `serverFor` names for its base URL; a site it names
 * none for keeps the server ACE had before. Returns the undo, which leaves a later patch alone.
 */
export function routeOAuthServer(serverFor: (hostBaseUrl: string) => string | undefined): () => void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { prototype } = require('atlassian-connect-express/lib/internal/oauth2') as { prototype: OAuth2Prototype };
  const previous = prototype.getAuthorizationServer;
  const replacement = function (this: unknown, hostBaseUrl: string): string {
    return serverFor(hostBaseUrl) ?? previous.call(this, hostBaseUrl);
  };
  prototype.getAuthorizationServer = replacement;
  return () => {
    if (prototype.getAuthorizationServer === replacement) prototype.getAuthorizationServer = previous;
  };
}
