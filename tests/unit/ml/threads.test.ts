/** How many WASM threads a cross-origin isolated page gives onnxruntime-web. */
import { describe, expect, it } from 'vitest';
import { isolatedThreads } from '../../../src/ml/runtime';

describe('WASM threads on a cross-origin isolated page', () => {
  it('uses both cores of a 2-core machine, where ORT by itself would use one', () => {
    expect(isolatedThreads(2)).toBe(2);
  });

  it('keeps ORT’s half of the cores, up to 4, on bigger machines', () => {
    expect(isolatedThreads(6)).toBe(3);
    expect(isolatedThreads(16)).toBe(4);
  });

  it('uses one thread on one core, or when the core count is unknown', () => {
    expect(isolatedThreads(1)).toBe(1);
    expect(isolatedThreads(Number.NaN)).toBe(1);
    expect(isolatedThreads(0)).toBe(1);
  });
});
