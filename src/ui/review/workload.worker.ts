/** The settings' workload estimate, off the page's main thread (a year at five retentions). */
import { estimateWorkload, type WorkloadRequest, type WorkloadResult } from '../../srs/workload';

const scope = self as unknown as {
  postMessage(message: WorkloadResult): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkloadRequest>) => void): void;
};

scope.addEventListener('message', (event) => scope.postMessage(estimateWorkload(event.data)));
