/**
 * A small, fast, seedable PRNG (mulberry32): returns floats in [0, 1), the same sequence for the
 * same seed. Shared by the widgets that draw random data (the toy model, the SAE trainer, the
 * induction heads' random sequences). It imports nothing, so that scripts/bench-widgets.mjs can
 * load the toy model in Node as it is.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
