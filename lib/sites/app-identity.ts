/**
 * The port a platform adapter fills with who Keepsake is on Confluence: the app key (app
 * properties live under it, and user properties are isolated by it), and whether the app may
 * act as a user on a site (Connect: the descriptor asks for ACT_AS_USER and the install brought
 * an OAuth client; Forge: the remote is granted app user tokens).
 */
import type { InstallRecord } from './install-records';

export interface AppIdentity {
  key: string;
  canActAsUser(install: InstallRecord): boolean;
}
