import { describe, expect, it, vi } from 'vitest';
import { LazyGraph } from '../../../src/ml/lazy-graph';
import type { GraphSession } from '../../../src/ml/runtime';

/** A stand-in session: only release() is called here. */
function session(): GraphSession & { released: number } {
  const fake = {
    released: 0,
    release: async () => {
      fake.released++;
    },
  };
  return fake as unknown as GraphSession & { released: number };
}

describe('a graph started on first use', () => {
  it('is started once, however many callers ask at the same time', async () => {
    const one = session();
    const start = vi.fn(async () => one);
    const graph = new LazyGraph(start);
    expect(graph.started).toBeNull();
    const [a, b] = await Promise.all([graph.get(), graph.get()]);
    expect(a).toBe(one);
    expect(b).toBe(one);
    expect(await graph.available()).toBe(true);
    expect(start).toHaveBeenCalledTimes(1);
  });

  it('is started again after a failed load, and says it is unavailable meanwhile', async () => {
    const one = session();
    const start = vi
      .fn<() => Promise<GraphSession>>()
      .mockRejectedValueOnce(new Error('offline'))
      .mockResolvedValueOnce(one);
    const graph = new LazyGraph(start);
    expect(await graph.available()).toBe(false);
    await expect(graph.get()).resolves.toBe(one);
    expect(start).toHaveBeenCalledTimes(2);
  });

  it('is unavailable, and never started, for a model without it', async () => {
    const graph = new LazyGraph(null);
    expect(graph.exists).toBe(false);
    expect(await graph.available()).toBe(false);
    await expect(graph.get()).rejects.toThrow('no such graph');
    expect(graph.started).toBeNull();
  });

  it('releases the session it started, and nothing when none started or it failed', async () => {
    const one = session();
    const graph = new LazyGraph(async () => one);
    await graph.release();
    expect(one.released).toBe(0);
    await graph.get();
    await graph.release();
    expect(one.released).toBe(1);
    const failed = new LazyGraph(async () => Promise.reject(new Error('offline')));
    await failed.available();
    await expect(failed.release()).resolves.toBeUndefined();
  });
});
