/**
 * The DAS widget's maths (subspace.ts): patching along a one-dimensional subspace, the split of a
 * direction into the part a weight matrix reads and the part it ignores, and the mixing angle.
 */
import { describe, expect, it } from 'vitest';
import {
  angleOf,
  dot,
  mixAtAngle,
  norm,
  patchAlong,
  projectedDelta,
  splitByReadSpace,
  times,
} from '../../../src/widgets/das-illusion/subspace';

/** A deterministic pseudo-random vector (no Math.random: the tests must not drift). */
function vector(n: number, seed: number): Float32Array {
  let x = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return ((x >>> 0) / 2 ** 32) * 2 - 1;
  });
}

describe('patching along a direction', () => {
  const base = vector(8, 1);
  const source = vector(8, 2);
  const direction = vector(8, 3);

  it('takes the coordinate along the direction from the source and keeps every orthogonal one', () => {
    const patched = patchAlong(base, source, direction);
    const u = direction.map((x) => x / norm(direction));
    expect(dot(patched, u)).toBeCloseTo(dot(source, u), 5);
    // Any vector orthogonal to the direction sees the base value.
    const other = vector(8, 4);
    const orthogonal = other.map((x, i) => x - dot(other, u) * u[i]!);
    expect(dot(patched, orthogonal)).toBeCloseTo(dot(base, orthogonal), 5);
  });

  it('does not depend on the length or sign of the direction', () => {
    const a = patchAlong(base, source, direction);
    const b = patchAlong(
      base,
      source,
      direction.map((x) => -3 * x),
    );
    a.forEach((x, i) => expect(x).toBeCloseTo(b[i]!, 5));
  });

  it('moves the activation by the projected difference, zero when the prompts agree there', () => {
    const moved = patchAlong(base, source, direction);
    const distance = norm(moved.map((x, i) => x - base[i]!));
    expect(distance).toBeCloseTo(Math.abs(projectedDelta(base, source, direction)), 5);
    expect(projectedDelta(base, base, direction)).toBe(0);
  });

  it('rejects a zero direction', () => {
    expect(() => patchAlong(base, source, new Float32Array(8))).toThrow(/zero vector/);
  });
});

describe('splitting a direction by what a weight matrix reads', () => {
  // W: 6 × 2 (d_mlp = 6 rows, d_model = 2 columns), so the read space has dimension 2.
  const rows = [
    vector(2, 10),
    vector(2, 11),
    vector(2, 12),
    vector(2, 13),
    vector(2, 14),
    vector(2, 15),
  ];
  const columns = [0, 1].map((j) => Float32Array.from(rows, (r) => r[j]!));
  const v = vector(6, 20);
  const { read, unread } = splitByReadSpace(v, columns);

  it('puts the whole direction in the two parts, at right angles to each other', () => {
    read.forEach((x, i) => expect(x + unread[i]!).toBeCloseTo(v[i]!, 5));
    expect(dot(read, unread)).toBeCloseTo(0, 5);
    expect(norm(read) ** 2 + norm(unread) ** 2).toBeCloseTo(norm(v) ** 2, 4);
  });

  it('leaves the unread part in the kernel: unread · W = 0, while the read part is seen', () => {
    for (const x of times(unread, rows)) expect(Math.abs(x)).toBeLessThan(1e-5);
    expect(norm(times(read, rows))).toBeCloseTo(norm(times(v, rows)), 5);
    expect(norm(times(read, rows))).toBeGreaterThan(0.01);
  });

  it('skips dependent columns', () => {
    const twice = splitByReadSpace(v, [...columns, columns[0]!.map((x) => 2 * x)]);
    twice.read.forEach((x, i) => expect(x).toBeCloseTo(read[i]!, 5));
  });
});

describe('mixing the two parts at an angle', () => {
  const dormant = Float32Array.from([3, 0, 0]);
  const disconnected = Float32Array.from([0, 4, 0]);

  it('gives the dormant part at 0°, the disconnected part at 90°, unit length between', () => {
    expect([...mixAtAngle(dormant, disconnected, 0)]).toEqual([1, 0, 0]);
    const right = mixAtAngle(dormant, disconnected, 90);
    expect(right[0]).toBeCloseTo(0, 6);
    expect(right[1]).toBeCloseTo(1, 6);
    expect(norm(mixAtAngle(dormant, disconnected, 30))).toBeCloseTo(1, 6);
  });

  it('recovers the direction v = dormant + disconnected at angleOf(dormant, disconnected)', () => {
    const angle = angleOf(dormant, disconnected);
    expect(angle).toBeCloseTo((Math.atan2(4, 3) * 180) / Math.PI, 6);
    const mixed = mixAtAngle(dormant, disconnected, angle);
    [0.6, 0.8, 0].forEach((x, i) => expect(mixed[i]).toBeCloseTo(x, 6));
  });
});
