/**
 * Push tickets: the daemon issues one per `POST /git-receive-pack`, passes it down
 * through the environment, and the hook presents it back over the push socket. A
 * ticket is a public id and a 256-bit secret; only the secret's SHA-256 is kept, and
 * it is compared in constant time. A ticket works once.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface TicketGrant {
  readonly app: string;
  readonly user: string | null;
}

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export interface TicketBook {
  /** Returns the token to hand down (`<id>.<secret>`) and its id. */
  issue(grant: TicketGrant): { readonly id: string; readonly token: string };
  /** The grant of a valid, unused token (which is then used up) with its id; null otherwise. */
  redeem(token: string): (TicketGrant & { readonly id: string }) | null;
  revoke(id: string): void;
  readonly size: number;
}

export function createTicketBook(): TicketBook {
  const tickets = new Map<string, TicketGrant & { readonly digest: Buffer }>();
  return {
    issue(grant) {
      const id = randomBytes(12).toString('hex');
      const secret = randomBytes(32).toString('base64url');
      tickets.set(id, { ...grant, digest: digest(secret) });
      return { id, token: `${id}.${secret}` };
    },
    redeem(token) {
      const dot = token.indexOf('.');
      if (dot <= 0) return null;
      const id = token.slice(0, dot);
      const entry = tickets.get(id);
      // Hashing first gives both sides the same length; the id is not secret.
      if (!entry || !timingSafeEqual(digest(token.slice(dot + 1)), entry.digest)) return null;
      tickets.delete(id);
      return { id, app: entry.app, user: entry.user };
    },
    revoke(id) {
      tickets.delete(id);
    },
    get size() {
      return tickets.size;
    },
  };
}
