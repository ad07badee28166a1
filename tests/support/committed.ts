// Tests over committed artifacts (the exported models, their cards and fixtures) fail, never
// skip, when an artifact is missing: a skipped test would let a broken commit look green.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './content';

/** The models committed under public/models/ with a manifest (the SAEs have their own index). */
export const COMMITTED_MODELS = ['tiny-lm', 'attn-only-2l', 'modadd'] as const;

/**
 * The absolute path of committed file `path` (repository-relative). Throws, naming the file, when
 * it is missing, which fails the test file that asked for it.
 */
export function committedFile(path: string): string {
  const full = join(ROOT, path);
  if (!existsSync(full)) {
    throw new Error(
      `${path} is missing: it is committed and this test reads it (npm run models:train rebuilds the models)`,
    );
  }
  return full;
}
