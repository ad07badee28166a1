/**
 * zod, set up once for the card pages: every schema of src/srs and src/storage imports it from
 * here, so this runs before any of them is built.
 *
 * Without JIT: zod would compile a parser for each object schema with `new Function` (an eval,
 * which a strict Content-Security-Policy forbids) on its first parse. A page checks each kind of
 * record a few hundred times at most, too few to repay compiling: checking the published deck
 * took 11.9 ms without JIT and 14.6 ms with it on a first check (Node, this 2-core machine).
 */
import { z } from 'zod';

z.config({ jitless: true });

export { z };

/**
 * A schema (or a shape of schemas) built on first use rather than when its module is evaluated.
 * Building zod schemas is most of what evaluating the card pages' code costs (about 20 ms of a
 * 60 ms task on this machine, four times that on a slow phone); built lazily, that work falls in
 * the later, shorter task that first checks a record. Use it like the schema itself: every
 * property read goes to the built schema. Not for data (a proxy cannot be stored or posted).
 */
export function lazily<T extends object>(build: () => T): T {
  let built: T | undefined;
  const target = (): T => (built ??= build());
  const proxy = new Proxy({} as T, {
    get(_, key) {
      const schema = target();
      const value: unknown = Reflect.get(schema, key, schema);
      return typeof value === 'function' ? value.bind(schema) : value;
    },
    has: (_, key) => Reflect.has(target(), key),
    ownKeys: () => Reflect.ownKeys(target()),
    getOwnPropertyDescriptor(_, key) {
      const descriptor = Reflect.getOwnPropertyDescriptor(target(), key);
      return descriptor && { ...descriptor, configurable: true };
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(target()),
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  });
  builtBehind.set(proxy, target);
  return proxy;
}

/** Each `lazily` proxy's way to its built value. */
const builtBehind = new WeakMap<object, () => object>();

/**
 * The schema (or shape) behind a `lazily` proxy, built now if it was not yet; anything else as it
 * is. Schemas built from other schemas take them this way, so that a check reads its parts
 * directly rather than through a proxy's traps on every field of every row (checking the stored
 * cards of a page spent about as long in those traps as in zod).
 */
export function unwrap<T extends object>(value: T): T {
  const built = builtBehind.get(value);
  return built ? (built() as T) : value;
}
