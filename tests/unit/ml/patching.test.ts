/** The pure part of patching: which cells of a sweep a patch could change. */
import { describe, expect, it } from 'vitest';
import type { HookInfo } from '../../../src/ml/manifest';
import { differsAlong } from '../../../src/ml/patching';
import type { Tensor } from '../../../src/ml/tensor';

const z: HookInfo = { name: 'blocks.0.attn.hook_z', shape: ['batch', 'pos', 'n_heads', 'd_head'] };

/** Two rows of z, [2, pos 3, heads 2, d_head 2], equal except where `change` says. */
function twoRuns(change: (pos: number, head: number) => boolean): Tensor {
  const data = new Float32Array(2 * 3 * 2 * 2);
  for (let pos = 0; pos < 3; pos++)
    for (let head = 0; head < 2; head++)
      for (let d = 0; d < 2; d++) {
        const i = (pos * 2 + head) * 2 + d;
        data[i] = pos + head / 10 + d / 100;
        data[12 + i] = data[i]! + (change(pos, head) && d === 1 ? 1e-6 : 0);
      }
  return { data, dims: [2, 3, 2, 2] };
}

describe('which patches of a sweep could change anything', () => {
  it('marks a position where any element of any head differs, if only by a few ulps', () => {
    const runs = twoRuns((pos, head) => pos === 2 && head === 1);
    expect(differsAlong(z, 'positions', runs, 0, runs, 1)).toEqual([false, false, true]);
  });

  it('marks a head that differs at any position', () => {
    const runs = twoRuns((pos, head) => pos === 0 && head === 0);
    expect(differsAlong(z, 'heads', runs, 0, runs, 1)).toEqual([true, false]);
  });

  it('marks nothing when the two rows are identical', () => {
    const runs = twoRuns(() => false);
    expect(differsAlong(z, 'positions', runs, 0, runs, 1)).toEqual([false, false, false]);
    expect(differsAlong(z, 'heads', runs, 1, runs, 0)).toEqual([false, false]);
  });
});
