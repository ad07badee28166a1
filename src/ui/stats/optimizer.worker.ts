/**
 * The FSRS optimizer, off the page's main thread. fsrs-browser runs single-threaded here (its
 * thread pool needs a cross-origin-isolated page and would only make the run shorter); training
 * blocks this worker, not the page.
 */
import init, { Fsrs, Progress } from 'fsrs-browser';
import { fitPersonalParameters, fsrsBrowserTrainer } from '../../srs/optimizer';
import {
  sharedMemoryProblem,
  type OptimizerMessage,
  type OptimizerRequest,
} from './optimizer-protocol';

const scope = self as unknown as {
  postMessage(message: OptimizerMessage): void;
  addEventListener(
    type: 'message',
    listener: (event: MessageEvent<OptimizerRequest>) => void,
  ): void;
  crossOriginIsolated?: boolean;
};
const post = (message: OptimizerMessage) => scope.postMessage(message);

scope.addEventListener('message', (event) => {
  const request = event.data;
  if (!('log' in request)) return; // fsrs-browser's own helper listens here too
  void run(request);
});

async function run(request: OptimizerRequest): Promise<void> {
  const problem = sharedMemoryProblem();
  if (problem) {
    post({ type: 'unsupported', message: problem });
    return;
  }
  try {
    // fsrs-browser finds its WebAssembly beside itself (the build copies it there).
    const wasm = await init();
    const trainer = fsrsBrowserTrainer({ Fsrs, Progress }, (pointer) => {
      if (scope.crossOriginIsolated && wasm.memory.buffer instanceof SharedArrayBuffer) {
        post({ type: 'progress-memory', buffer: wasm.memory.buffer, pointer });
      }
    });
    const result = await fitPersonalParameters(
      request.log,
      request.dayStartHour,
      trainer,
      (stage) => post({ type: 'stage', stage }),
    );
    post({ type: 'done', result });
  } catch (error) {
    post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
}
