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
