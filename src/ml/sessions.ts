/**
 * Starting a model's ONNX sessions: the backend choice with its fallback, and the check that a
 * graph takes the inputs its manifest promises.
 */
import { ManifestError } from './errors';
import type { Manifest } from './manifest';
import {
  chooseBackend,
  createSession,
  type Backend,
  type GraphSession,
  type SessionOptions,
} from './runtime';

/** A session on the preferred backend; WebGPU that cannot run the graph falls back to WASM. */
export async function startSession(
  bytes: Uint8Array,
  file: string,
  preference: Backend | 'auto' = 'auto',
  options: SessionOptions = {},
): Promise<{ session: GraphSession; fallbackReason: string | null }> {
  const backend = await chooseBackend(preference);
  if (backend === 'wasm')
    return { session: await createSession(bytes, 'wasm', file, options), fallbackReason: null };
  try {
    return { session: await createSession(bytes, 'webgpu', file, options), fallbackReason: null };
  } catch (error) {
    // A WebGPU adapter that cannot run the graph: WASM still can.
    const reason = error instanceof Error ? error.message : String(error);
    return { session: await createSession(bytes, 'wasm', file, options), fallbackReason: reason };
  }
}

/** The graph's inputs must be the ones the manifest promises. */
export function checkInputs(
  manifest: Manifest,
  session: GraphSession,
  which: 'forward' | 'plain' | 'backward',
): void {
  const inputs = new Set(session.inputNames);
  const expected =
    which === 'forward'
      ? [
          'tokens',
          ...manifest.interventionHooks.flatMap((h) => [
            `patch_mask:${h}`,
            `patch_value:${h}`,
            `add:${h}`,
          ]),
        ]
      : which === 'plain'
        ? ['tokens']
        : ['tokens', 'logit_grad'];
  const missing = expected.filter((n) => !inputs.has(n));
  // The plain graph must take nothing but tokens (the run feeds nothing else).
  const extra = which === 'plain' ? session.inputNames.filter((n) => n !== 'tokens') : [];
  if (missing.length > 0 || extra.length > 0) {
    const names = missing.length > 0 ? missing : extra;
    const list = `${names.slice(0, 4).join(', ')}${names.length > 4 ? ', …' : ''}`;
    throw new ManifestError(
      missing.length > 0
        ? `${which} graph lacks inputs the manifest implies: ${list}`
        : `${which} graph takes inputs besides tokens: ${list}`,
      manifest.files[which]?.path ?? null,
    );
  }
}
