/**
 * Open streams (live log tails, attached one-offs) by the token that opened them, so that
 * revoking, rotating or the expiry of a token ends them at once rather than when they close;
 * and by the user and app they are about, so that taking an app away from a member ends theirs.
 */
export interface TokenStreams {
  /**
   * Registers a stream opened with `tokenId`; `end` is called when the token is revoked or
   * expires. Returns the function to call when the stream ends by itself.
   */
  hold(tokenId: string, expiresAt: string | null, end: () => void, on?: StreamSubject): () => void;
  /** Ends every stream the token opened; returns how many there were. */
  endAll(tokenId: string): number;
  /** Ends the user's streams of this app (their access to it was taken away); returns how many. */
  endFor(userId: string, app: string): number;
  /** How many streams are open (all tokens). */
  size(): number;
}

/** Whose stream it is and of which app. */
export interface StreamSubject {
  readonly userId: string;
  readonly app: string;
}

interface Held {
  readonly end: () => void;
  readonly on: StreamSubject | undefined;
  /** Set once, when the token has an expiry. */
  timer: NodeJS.Timeout | undefined;
}

/** setTimeout's upper bound; a later expiry is checked again when this fires. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export function createTokenStreams(now: () => number = Date.now): TokenStreams {
  const byToken = new Map<string, Set<Held>>();
  const release = (tokenId: string, held: Held): void => {
    if (held.timer) clearTimeout(held.timer);
    const set = byToken.get(tokenId);
    set?.delete(held);
    if (set?.size === 0) byToken.delete(tokenId);
  };
  const hold = (tokenId: string, expiresAt: string | null, end: () => void, on?: StreamSubject): (() => void) => {
    const delay = expiresAt === null ? undefined : Date.parse(expiresAt) - now();
    if (delay !== undefined && delay <= 0) {
      end();
      return () => undefined;
    }
    const held: Held = { end, on, timer: undefined };
    if (delay !== undefined) {
      held.timer = setTimeout(() => {
        release(tokenId, held);
        if (delay > MAX_DELAY_MS) hold(tokenId, expiresAt, end, on);
        else end();
      }, Math.min(delay, MAX_DELAY_MS));
      held.timer.unref();
    }
    const set = byToken.get(tokenId) ?? new Set<Held>();
    set.add(held);
    byToken.set(tokenId, set);
    return () => release(tokenId, held);
  };
  return {
    hold,
    endAll(tokenId) {
      const set = byToken.get(tokenId);
      if (!set) return 0;
      byToken.delete(tokenId);
      for (const held of set) {
        if (held.timer) clearTimeout(held.timer);
        held.end();
      }
      return set.size;
    },
    endFor(userId, app) {
      let ended = 0;
      for (const [tokenId, set] of [...byToken]) {
        for (const held of [...set]) {
          if (held.on?.userId !== userId || held.on.app !== app) continue;
          release(tokenId, held);
          held.end();
          ended += 1;
        }
      }
      return ended;
    },
    size: () => [...byToken.values()].reduce((n, set) => n + set.size, 0),
  };
}
