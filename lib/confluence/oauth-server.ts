/**
 * ACE hard-codes Atlassian's OAuth 2.0 token server for acting as a user; its one seam is
 * `getAuthorizationServer` in lib/internal/oauth2.js (confluence-facts.md §6). Pointing it
 * elsewhere (the emulator) is a process-wide change, made at start-up and undone at close.
 */
interface OAuth2Prototype {
  getAuthorizationServer(hostBaseUrl: string): string;
}

export function pointOAuthServerAt(url: string): () => void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { prototype } = require('atlassian-connect-express/lib/internal/oauth2') as { prototype: OAuth2Prototype };
  const previous = prototype.getAuthorizationServer;
  const origin = url.replace(/\/$/, '');
  const replacement = () => origin;
  prototype.getAuthorizationServer = replacement;
  return () => {
    if (prototype.getAuthorizationServer === replacement) prototype.getAuthorizationServer = previous;
  };
}
