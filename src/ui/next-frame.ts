/**
 * Waiting for the browser to draw a frame: work split across frames lets each part be laid out
 * and painted on its own, where parts queued back to back would be laid out all at once.
 */

/** A hidden tab draws no frames: past this, carry on without one. */
const HIDDEN_TAB_WAIT_MS = 100;

/** Resolves after the next frame is drawn (or after a tenth of a second in a hidden tab). */
export function afterNextFrame(): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, HIDDEN_TAB_WAIT_MS);
    requestAnimationFrame(() => {
      // The frame is drawn after the rAF callbacks: the task queued here runs after it.
      setTimeout(() => {
        clearTimeout(timer);
        resolve();
      }, 0);
    });
  });
}
