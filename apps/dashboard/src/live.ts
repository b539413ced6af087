/** Keeping a page current without reloading: polling that pauses in hidden tabs and stops with the page. */

export interface Poller {
  /** Runs the task now (after an action), then keeps the usual interval. */
  refresh(): void;
}

/** Runs `task` now and then every `intervalMs` until `signal` aborts; never two at once. */
export function every(intervalMs: number, task: () => Promise<void>, signal: AbortSignal): Poller {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let again = false;
  const schedule = (): void => {
    clearTimeout(timer);
    if (!signal.aborted) timer = setTimeout(run, intervalMs);
  };
  function run(): void {
    if (signal.aborted) return;
    if (document.hidden) return schedule();
    if (running) {
      again = true;
      return;
    }
    running = true;
    task()
      .catch(() => {
        // The task shows its own errors; the next round tries again.
      })
      .finally(() => {
        running = false;
        if (again) {
          again = false;
          run();
        } else schedule();
      });
  }
  const onVisible = (): void => {
    if (!document.hidden) run();
  };
  document.addEventListener('visibilitychange', onVisible, { signal });
  signal.addEventListener('abort', () => clearTimeout(timer));
  run();
  return { refresh: run };
}

const editing = (container: Element): boolean => {
  const active = document.activeElement;
  if (active === null || !container.contains(active)) return false;
  if (active instanceof HTMLInputElement) return active.type !== 'checkbox' && active.type !== 'radio';
  return active instanceof HTMLSelectElement || active instanceof HTMLTextAreaElement;
};

/**
 * Loads data on an interval and re-renders `container` when it changed (or every
 * half-minute, for relative times), but not while the user is typing inside it.
 */
export function liveRegion<T>(
  container: HTMLElement,
  options: { load: () => Promise<T>; render: (data: T) => Node[]; intervalMs: number; signal: AbortSignal; onError: (error: unknown) => void },
): Poller {
  let shown = '';
  return every(
    options.intervalMs,
    async () => {
      let data: T;
      try {
        data = await options.load();
      } catch (error) {
        options.onError(error);
        throw error;
      }
      const key = `${JSON.stringify(data)}@${String(Math.floor(Date.now() / 30_000))}`;
      if (key === shown || editing(container) || options.signal.aborted) return;
      shown = key;
      container.replaceChildren(...options.render(data));
      container.removeAttribute('aria-busy');
    },
    options.signal,
  );
}
