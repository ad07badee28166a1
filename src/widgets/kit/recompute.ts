/**
 * The recompute protocol, written once for every widget that computes when the reader changes a
 * control:
 *
 * - a new computation supersedes the one under way, whose result is then dropped (the reader
 *   sees only the answer to what they last asked);
 * - the widget's root carries `data-computed="running"` while a computation is under way and
 *   `"done"` once its result shows (the browser tests and bench:widgets:first-result wait on it);
 *
 * A widget calls `start()` as it begins to compute, checks `stale` after every await, and calls
 * `done()` when the result shows; its failures go to `context.fail` (the shell's error with Retry).
 */
import type { WidgetContext } from './types';

/** One computation: it knows whether it still counts, and says when its result shows. */
export interface Computation {
  /** True once a newer computation started or the widget was torn down: drop the result. */
  readonly stale: boolean;
  /** The result shows: sets `data-computed="done"` (not when stale). */
  done(): void;
}

export interface Recompute {
  /** Starts a computation, superseding any under way. */
  start(): Computation;
}

/** The recompute protocol for one mounted widget. */
export function recompute(context: Pick<WidgetContext, 'root' | 'signal'>): Recompute {
  const { root, signal } = context;
  let generation = 0;

  function start(): Computation {
    const mine = ++generation;
    root.dataset['computed'] = 'running';
    const computation: Computation = {
      get stale() {
        return mine !== generation || signal.aborted;
      },
      done() {
        if (!computation.stale) root.dataset['computed'] = 'done';
      },
    };
    return computation;
  }

  return { start };
}
