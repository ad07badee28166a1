import { describe, expect, it } from 'vitest';
import { forEachInSlices } from '../../../src/storage/slices';

describe('a loop in slices', () => {
  it('visits every item in order', async () => {
    const seen: [string, number][] = [];
    await forEachInSlices(['a', 'b', 'c'], (item, index) => {
      seen.push([item, index]);
    });
    expect(seen).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
    ]);
  });

  it('stops at the first item whose visit returns false', async () => {
    const seen: number[] = [];
    await forEachInSlices([1, 2, 3, 4], (item) => {
      seen.push(item);
      return item < 2;
    });
    expect(seen).toEqual([1, 2]);
  });

  it('lets other work run between slices once a slice has used its time', async () => {
    const order: string[] = [];
    const other = new Promise<void>((resolve) =>
      setTimeout(() => {
        order.push('other');
        resolve();
      }, 0),
    );
    // Each visit takes about 2 ms: with 3 ms slices the loop gives the thread back every 2 items.
    await forEachInSlices(
      [1, 2, 3, 4, 5, 6],
      (item) => {
        const start = performance.now();
        while (performance.now() - start < 2);
        order.push(`item ${item}`);
      },
      3,
    );
    await other;
    expect(order.indexOf('other')).toBeGreaterThan(0);
    expect(order.indexOf('other')).toBeLessThan(order.length - 1);
  });
});
