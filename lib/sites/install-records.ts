/**
 * The port a platform adapter fills with what a site's install told Keepsake: where the site is,
 * the secret its context tokens are signed with, and the OAuth client that acting as a user
 * needs. Connect keeps them in ACE's store (platform/connect/install-records.ts); a Forge
 * invocation names its installation, which the `installed` event of a Connect-on-Forge app
 * tied to the site.
 */

export interface InstallRecord {
  /** The site's Confluence, ending in /wiki. */
  baseUrl: string;
  /** Signs the site's context tokens (HS256). */
  sharedSecret: string;
  /** Present when the install lets the app act as a user. */
  oauthClientId?: string;
}

export interface InstallRecords {
  /**
   * The site's install record, or undefined when the site has none. An implementation may keep
   * records for a moment; `fresh` asks past that (a reinstall may have changed the secret).
   */
  get(clientKey: string, options?: { fresh?: boolean }): Promise<InstallRecord | undefined>;
  /** The site a Forge installation belongs to (its `installed` event named both), or undefined. */
  clientKeyOf(installationId: string): Promise<string | undefined>;
}
