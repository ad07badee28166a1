import { describe, expect, it } from 'vitest';
import { failedModuleUrl, retryAddress } from '../../../src/widgets/kit/import-again';

const CHUNK = 'http://127.0.0.1:4321/_astro/toy-superposition.client.B1x2.js';

describe('a client module whose import failed', () => {
  it("is named from Chromium's message", () => {
    const error = new TypeError(`Failed to fetch dynamically imported module: ${CHUNK}`);
    expect(failedModuleUrl(error)).toBe(CHUNK);
  });

  it("is named from Firefox's message", () => {
    const error = new TypeError(`error loading dynamically imported module: ${CHUNK}`);
    expect(failedModuleUrl(error)).toBe(CHUNK);
  });

  it('is named without the parameter of an earlier retry', () => {
    const error = new TypeError(`Failed to fetch dynamically imported module: ${CHUNK}?retry=2`);
    expect(failedModuleUrl(error)).toBe(CHUNK);
  });

  it("is not named from Safari's message, which gives no address", () => {
    expect(failedModuleUrl(new TypeError('Importing a module script failed.'))).toBeNull();
  });

  it('is not named from a failure of the widget itself that mentions a script', () => {
    const error = new Error(`could not start the model: ${CHUNK} threw`);
    expect(failedModuleUrl(error)).toBeNull();
    expect(failedModuleUrl('Failed to fetch dynamically imported module')).toBeNull();
  });

  it('is asked for again at a new address for each attempt', () => {
    expect(retryAddress(CHUNK, 1)).toBe(`${CHUNK}?retry=1`);
    expect(retryAddress(`${CHUNK}?retry=1`, 2)).toBe(`${CHUNK}?retry=2`);
  });
});
