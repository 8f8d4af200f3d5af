// AP.request runs inside the emulator: callAsUser sends the call over loopback to the REST
// routes with a one-time ticket that only the emulator can mint, so the call goes through
// the same faults, logging and checks as any other.
import { randomBytes } from 'node:crypto';

export interface ApRequestIdentity {
  appKey: string;
  accountId: string;
}

export const AP_REQUEST_AUTH_SCHEME = 'EmulatorApRequest';

export class ApRequestTickets {
  private tickets = new Map<string, ApRequestIdentity>();

  issue(identity: ApRequestIdentity): string {
    const ticket = randomBytes(24).toString('base64url');
    this.tickets.set(ticket, identity);
    return ticket;
  }

  /** A ticket is good for one call. */
  redeem(ticket: string): ApRequestIdentity | undefined {
    const identity = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    return identity;
  }
}
