/**
 * Long loops cut into short slices, with the main thread given back between them. A card page
 * checks every card on a first visit (the deck's and the stored ones): done in one go, that is a
 * task of a few hundred milliseconds on a slow phone, during which a tap or a scroll waits. In
 * slices of a few milliseconds the page stays responsive, and the result is the same.
 *
 * Never await these inside an IndexedDB transaction: a transaction with no request pending
 * commits when its task ends, so a yield there would end it.
 */

/** How long one slice may run, in milliseconds (a slow phone is about 4× slower than this). */
export const SLICE_MS = 8;

interface Scheduler {
  yield?: () => Promise<void>;
}

/** Let the browser handle input and draw, then continue (Node: the next turn of the loop). */
export function yieldToMain(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: Scheduler }).scheduler;
  // scheduler.yield keeps this task's place ahead of other queued work; setTimeout goes to the back.
  if (typeof scheduler?.yield === 'function') return scheduler.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * `visit` each item in order, yielding to the main thread whenever a slice has run `sliceMs`;
 * `visit` returning false stops the loop there. Each call of `visit` is synchronous.
 */
export async function forEachInSlices<T>(
  items: readonly T[],
  visit: (item: T, index: number) => boolean | void,
  sliceMs = SLICE_MS,
): Promise<void> {
  let sliceStart = performance.now();
  for (let index = 0; index < items.length; index++) {
    if (visit(items[index] as T, index) === false) return;
    if (index + 1 < items.length && performance.now() - sliceStart >= sliceMs) {
      await yieldToMain();
      sliceStart = performance.now();
    }
  }
}

/** Run each step in a task of its own, the main thread given back between them. */
export async function eachInItsOwnTask(steps: readonly (() => unknown)[]): Promise<void> {
  for (const step of steps) {
    step();
    await yieldToMain();
  }
}
