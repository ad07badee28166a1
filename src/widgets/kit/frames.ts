/**
 * Running CPU work in the page without freezing it: do a slice of work, give the browser a frame,
 * repeat. For widgets that train or sweep on the main thread (the toy model; the SAE lab's CPU path).
 */

/** Resolves at the next animation frame (or after a tick where frames are not painted). */
export function nextFrame(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible') {
      requestAnimationFrame(() => resolve());
    } else {
      setTimeout(resolve, 0);
    }
  });
}

/** Thrown (and meant to be ignored) when work stops because its signal aborted. */
export class WorkAborted extends Error {
  constructor() {
    super('Stopped');
    this.name = 'WorkAborted';
  }
}

/**
 * Calls `work` repeatedly, at most `budgetMs` of it per frame, until it returns true (done).
 * After each frame's slice `onFrame` runs (to redraw). Rejects with WorkAborted when `signal`
 * aborts, so a new run can replace an old one.
 */
export async function runInFrames(
  work: () => boolean,
  options: { signal: AbortSignal; budgetMs?: number; onFrame?: () => void },
): Promise<void> {
  const budget = options.budgetMs ?? 12;
  for (;;) {
    if (options.signal.aborted) throw new WorkAborted();
    const start = performance.now();
    let done = false;
    while (!done && performance.now() - start < budget) done = work();
    options.onFrame?.();
    if (done) return;
    await nextFrame();
  }
}
