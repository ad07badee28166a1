/**
 * src/ml: Residual's in-page model runtime. Widgets import from here only.
 *
 *   const model = await HookedModel.load('tiny-lm', { onProgress });
 *   model.backend;                                  // 'webgpu' | 'wasm'
 *   const ids = model.tokenizer.encode('When Mary and John went to the store, John gave a drink to');
 *   const { logits, cache } = await model.runWithCache(ids, ['blocks.0.attn.hook_pattern']);
 *   await model.runWithInterventions(ids, [{ hook: 'blocks.1.attn.hook_z', kind: 'zero', heads: [3] }]);
 *   await model.patchSweep({ clean, corrupted, hooks: model.blockHooks('hook_resid_pre'), metric });
 *   await model.attributionScores({ clean, corrupted, hooks, metric });
 */
export { HookedModel } from './hooked-model';
export { ComputeGraph, type ComputeGraphOptions } from './compute-graph';
export type { LoadOptions, RunResult, Tokens } from './hooked-model';
export type { LoadProgress } from './model-loading';
export type {
  AttributionGroupsOptions,
  AttributionOptions,
  AttributionResult,
  PatchSweepOptions,
  PatchSweepResult,
} from './sweeps';
export type { Intervention, InterventionFeed, InterventionKind } from './interventions';
export { InterventionError } from './interventions';
export {
  ManifestError,
  ModelError,
  ModelFileCorruptError,
  ModelFileMissingError,
  ModelRunError,
  ModelSessionError,
} from './errors';
export { logitDiff, probabilityMass, softmax, type LogitMetric } from './metrics';
export { pearson, type PatchDirection, type SweepAxis } from './patching';
export {
  chooseBackend,
  configureRuntime,
  SOFTWARE_WEBGPU_KEY,
  webgpuAdapter,
  webgpuAvailable,
  type Backend,
  type ExternalData,
  type SessionOptions,
} from './runtime';
export { broadcastTo, meanOver, row, stack, tensor, zeros, type Tensor } from './tensor';
export { Tokenizer } from './tokenizer';
export { modelFiles, type Manifest, type ModelConfig, type ModelFile } from './manifest';
export { fetchJson, fetchModelFile, type FileFetchOptions, type FileProgress } from './files';
