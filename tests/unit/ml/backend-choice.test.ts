/**
 * Which backend a model runs on: WebGPU on a hardware adapter, WASM otherwise. A software
 * (fallback) WebGPU adapter runs the graphs on the CPU far slower than WASM, so 'auto' passes it
 * over unless the page allows it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  chooseBackend,
  configureRuntime,
  SOFTWARE_WEBGPU_KEY,
  webgpuAdapter,
  webgpuAvailable,
} from '../../../src/ml';

type Adapter = { info?: { isFallbackAdapter?: boolean }; isFallbackAdapter?: boolean } | null;

/** A navigator whose WebGPU offers `adapter` (or throws when asked, for 'throws'). */
function offerWebGpu(adapter: Adapter | 'throws' | 'no webgpu'): void {
  const gpu =
    adapter === 'no webgpu'
      ? undefined
      : {
          requestAdapter: () =>
            adapter === 'throws'
              ? Promise.reject(new Error('GPU process crashed'))
              : Promise.resolve(adapter),
        };
  vi.stubGlobal('navigator', { gpu });
}

/** A localStorage holding `entries` (or one that throws, as in some private modes). */
function storage(entries: Record<string, string> | 'blocked'): void {
  vi.stubGlobal('localStorage', {
    getItem: (key: string) => {
      if (entries === 'blocked') throw new DOMException('denied', 'SecurityError');
      return entries[key] ?? null;
    },
  });
}

const HARDWARE: Adapter = { info: { isFallbackAdapter: false } };
const SOFTWARE: Adapter = { info: { isFallbackAdapter: true } };

afterEach(() => {
  vi.unstubAllGlobals();
  configureRuntime({ allowSoftwareWebGpu: undefined });
});

describe('choosing a backend', () => {
  it('runs on WebGPU when the browser offers a hardware adapter', async () => {
    offerWebGpu(HARDWARE);
    await expect(webgpuAdapter()).resolves.toBe('hardware');
    await expect(chooseBackend('auto')).resolves.toBe('webgpu');
  });

  it('passes over a software adapter and runs on WASM', async () => {
    offerWebGpu(SOFTWARE);
    storage({});
    await expect(webgpuAdapter()).resolves.toBe('software');
    await expect(webgpuAvailable()).resolves.toBe(true);
    await expect(chooseBackend('auto')).resolves.toBe('wasm');
  });

  it('recognises the fallback flag where older browsers put it, on the adapter itself', async () => {
    offerWebGpu({ isFallbackAdapter: true });
    await expect(webgpuAdapter()).resolves.toBe('software');
  });

  it('takes a software adapter when WebGPU is asked for by name', async () => {
    offerWebGpu(SOFTWARE);
    await expect(chooseBackend('webgpu')).resolves.toBe('webgpu');
  });

  it('takes a software adapter on auto when the page allows it, in code or in localStorage', async () => {
    offerWebGpu(SOFTWARE);
    storage({ [SOFTWARE_WEBGPU_KEY]: 'allow' });
    await expect(chooseBackend('auto')).resolves.toBe('webgpu');
    storage({});
    configureRuntime({ allowSoftwareWebGpu: true });
    await expect(chooseBackend('auto')).resolves.toBe('webgpu');
  });

  it('lets the code setting override localStorage', async () => {
    offerWebGpu(SOFTWARE);
    storage({ [SOFTWARE_WEBGPU_KEY]: 'allow' });
    configureRuntime({ allowSoftwareWebGpu: false });
    await expect(chooseBackend('auto')).resolves.toBe('wasm');
  });

  it('treats blocked storage as "not allowed" instead of failing', async () => {
    offerWebGpu(SOFTWARE);
    storage('blocked');
    await expect(chooseBackend('auto')).resolves.toBe('wasm');
  });

  it('runs on WASM when there is no WebGPU, no adapter, or asking for one fails', async () => {
    for (const offer of ['no webgpu', null, 'throws'] as const) {
      offerWebGpu(offer);
      await expect(webgpuAvailable()).resolves.toBe(false);
      await expect(chooseBackend('auto')).resolves.toBe('wasm');
      await expect(chooseBackend('webgpu')).resolves.toBe('wasm');
    }
  });

  it('runs on WASM when asked to, whatever the adapter', async () => {
    offerWebGpu(HARDWARE);
    await expect(chooseBackend('wasm')).resolves.toBe('wasm');
  });
});
