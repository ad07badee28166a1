/** Messages between the statistics page and the optimizer worker (optimizer.worker.ts). */
import type { OptimizerResult, OptimizerStage } from '../../srs/optimizer';
import type { ReviewLogEntry } from '../../srs/types';

export interface OptimizerRequest {
  log: Pick<ReviewLogEntry, 'cardId' | 'grade' | 'review'>[];
  dayStartHour: number;
}

export type OptimizerMessage =
  | { type: 'stage'; stage: OptimizerStage }
  /**
   * Only on a cross-origin-isolated page, where WebAssembly memory can be shared with the page:
   * the optimizer counts [items processed, items total] at `pointer` in `buffer` while it trains.
   */
  | { type: 'progress-memory'; buffer: SharedArrayBuffer; pointer: number }
  | { type: 'unsupported'; message: string }
  | { type: 'failed'; message: string }
  | { type: 'done'; result: OptimizerResult };

/**
 * Whether this browser can run fsrs-browser: it is built with shared WebAssembly memory (for its
 * optional thread pool), which some browsers only allow on cross-origin-isolated pages.
 */
export function sharedMemoryProblem(): string | null {
  if (typeof Worker === 'undefined') return 'this browser cannot run Web Workers';
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return null;
  } catch {
    return 'this browser allows shared WebAssembly memory only on cross-origin-isolated pages, and this page is not one';
  }
}
