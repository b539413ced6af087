/**
 * One build per app at a time. A second push to the same app waits its turn (and is
 * told so); pushes to different apps run side by side.
 */
export interface AppLocks {
  /** Resolves with a release function once `app` is free; `onWait` runs if it was not. */
  acquire(app: string, options?: { onWait?: () => void; signal?: AbortSignal }): Promise<() => void>;
  isBusy(app: string): boolean;
}

export function createAppLocks(): AppLocks {
  const tails = new Map<string, Promise<void>>();
  return {
    isBusy: (app) => tails.has(app),
    async acquire(app, { onWait, signal } = {}) {
      const previous = tails.get(app);
      let release!: () => void;
      const mine = new Promise<void>((resolve) => {
        release = resolve;
      });
      const tail = (previous ?? Promise.resolve()).then(() => mine);
      tails.set(app, tail);
      let released = false;
      const unlock = (): void => {
        if (released) return;
        released = true;
        release();
        if (tails.get(app) === tail) tails.delete(app);
      };
      if (previous) {
        onWait?.();
        const aborted = new Promise<'aborted'>((resolve) => signal?.addEventListener('abort', () => resolve('aborted'), { once: true }));
        if ((await Promise.race([previous.then(() => 'free' as const), aborted])) === 'aborted') {
          // Leave the queue without blocking whoever comes after us.
          unlock();
          throw new Error('gave up waiting for the build lock');
        }
      }
      return unlock;
    },
  };
}
