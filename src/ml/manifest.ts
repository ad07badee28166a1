/**
 * manifest.json and tokenizer.json: the contract between the Python exporter and src/ml
 * (its format: models/README.md, "Export format"). Parsed with zod so that a malformed file gives a clear error.
 */
import { z } from 'zod';
import { ManifestError } from './errors';

/** Symbolic axis names used in hook shapes. */
export const AXES = [
  'batch',
  'pos',
  'query_pos',
  'key_pos',
  'n_heads',
  'd_head',
  'd_model',
  'd_mlp',
  'd_vocab',
] as const;
export type Axis = (typeof AXES)[number];

/**
 * The manifest's schemas, built on first use rather than when this module is evaluated: building
 * zod schemas was most of that evaluation (a review page loads this module with its experiment
 * cards, a chapter with its widgets), 15 ms here, four times that on a slow phone.
 */
function buildManifestSchemas() {
  const configSchema = z.object({
    n_layers: z.number().int().positive(),
    d_model: z.number().int().positive(),
    n_heads: z.number().int().positive(),
    d_head: z.number().int().positive(),
    d_mlp: z.number().int().positive().nullable(),
    d_vocab: z.number().int().positive(),
    n_ctx: z.number().int().positive(),
    act_fn: z.string(),
    normalization: z.string().nullable(),
  });

  const hookSchema = z.object({ name: z.string(), shape: z.array(z.enum(AXES)).min(2) });

  const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/i);
  /** A file named in the manifest: a path, or an object with path and integrity data. */
  const fileEntrySchema = z.union([
    z.string(),
    z.object({ path: z.string(), sha256: sha256Schema.optional(), bytes: z.number().optional() }),
  ]);

  const manifestSchema = z.object({
    name: z.string(),
    version: z.union([z.string(), z.number()]),
    config: configSchema,
    hooks: z.array(hookSchema),
    interventionHooks: z.array(z.string()),
    files: z.looseObject({
      forward: fileEntrySchema,
      /** The forward graph without intervention inputs (faster when nothing is intervened on). */
      plain: fileEntrySchema.nullable().optional(),
      backward: fileEntrySchema.nullable().optional(),
      /** ONNX external data that the graphs share (their weights, stored once). */
      weights: fileEntrySchema.nullable().optional(),
      /** The forward pass over a suffix given the prefix's keys and values (patching sweeps). */
      prefix: fileEntrySchema.nullable().optional(),
      /** Attribution patching of a pair in one call (model.attrib.onnx). */
      attribution: fileEntrySchema.nullable().optional(),
    }),
    /** Where the attribution graph puts each hook's score (see AttributionLayout). */
    attribution: z
      .object({
        /** The graph's inputs and outputs (ATTRIBUTION_GRAPH_VERSION; none: version 1). */
        version: z.number().int().optional(),
        chunk: z.number().int().positive(),
        scored: z.array(z.tuple([z.string(), z.number().int().positive()])),
        patterns: z.array(z.string()),
        same: z.record(z.string(), z.string()),
        zero: z.array(z.string()),
      })
      .optional(),
    sha256: z.record(z.string(), sha256Schema).optional(),
    bytes: z.record(z.string(), z.number()).optional(),
    tokenizer: fileEntrySchema.optional(),
  });
  return { configSchema, fileEntrySchema, manifestSchema };
}
type ManifestSchemas = ReturnType<typeof buildManifestSchemas>;
let manifestSchemas: ManifestSchemas | undefined;

export type ModelConfig = z.infer<ManifestSchemas['configSchema']>;

/** A file of a model with what is known to check it. */
export interface ModelFile {
  readonly path: string;
  readonly sha256: string | null;
  readonly bytes: number | null;
}

/**
 * The version of model.attrib.onnx's inputs and outputs this code feeds and reads (the manifest's
 * `attribution.version`): 2 runs the prompts up to the position the metric reads and takes the
 * gradient there alone. A manifest without it (version 1: every suffix position's logits and
 * gradient), such as a returning reader's cached copy read offline, leaves attribution to the
 * backward graph.
 */
export const ATTRIBUTION_GRAPH_VERSION = 2;

/**
 * Where model.attrib.onnx puts each intervention hook's score (models/lab/attribution.py):
 * `attr` [1, suffix, chunks] holds the `scored` hooks in order, each spending its number of
 * chunks of `chunk` summed values (a hook with heads, chunks / n_heads per head); `attr_pattern`
 * [1, patterns × n_heads, suffix] the attention patterns; a hook in `same` scores as the hook it
 * names; a hook in `zero` always scores zero.
 */
export interface AttributionLayout {
  readonly chunk: number;
  readonly scored: readonly (readonly [string, number])[];
  readonly patterns: readonly string[];
  readonly same: Readonly<Record<string, string>>;
  readonly zero: readonly string[];
}

export interface HookInfo {
  readonly name: string;
  readonly shape: readonly Axis[];
}

/** A parsed, normalised manifest. */
export interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly config: ModelConfig;
  readonly hooks: readonly HookInfo[];
  readonly interventionHooks: readonly string[];
  readonly files: {
    /** Forward graph with intervention inputs (model.onnx). */
    readonly forward: ModelFile;
    /** Forward graph without intervention inputs (model.plain.onnx), if exported. */
    readonly plain: ModelFile | null;
    readonly backward: ModelFile | null;
    /** The external data file holding the graphs' weights (weights.bin), if they use one. */
    readonly weights: ModelFile | null;
    /**
     * The forward pass over a suffix given the prefix's keys and values (model.prefix.onnx), if
     * exported: patchSweep computes only the positions a patch can change (prefix-sweep.ts).
     */
    readonly prefix: ModelFile | null;
    /**
     * Attribution patching of a pair in one call (model.attrib.onnx), if exported: only the
     * positions after the prompts' shared prefix, the target's backward pass alone.
     */
    readonly attribution: ModelFile | null;
    readonly tokenizer: ModelFile | null;
  };
  /** Where the attribution graph puts each hook's score (null: no attribution graph). */
  readonly attribution: AttributionLayout | null;
}

/**
 * Every file of a model that the manifest names (graphs, shared weights, tokenizer): what a
 * page needs to have cached to run the model offline.
 */
export function modelFiles(manifest: Manifest): ModelFile[] {
  const { forward, plain, backward, prefix, attribution, weights, tokenizer } = manifest.files;
  return [forward, plain, backward, prefix, attribution, weights, tokenizer].filter(
    (f): f is ModelFile => f !== null,
  );
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Validates and normalises a manifest.json document. */
export function parseManifest(json: unknown): Manifest {
  const parsed = (manifestSchemas ??= buildManifestSchemas()).manifestSchema.safeParse(json);
  if (!parsed.success)
    throw new ManifestError(
      `manifest.json is malformed: ${describe(parsed.error)}`,
      'manifest.json',
    );
  const m = parsed.data;
  const file = (entry: z.infer<ManifestSchemas['fileEntrySchema']>): ModelFile => {
    const path = typeof entry === 'string' ? entry : entry.path;
    const sha256 =
      (typeof entry === 'string' ? undefined : entry.sha256) ?? m.sha256?.[path] ?? null;
    const bytes = (typeof entry === 'string' ? undefined : entry.bytes) ?? m.bytes?.[path] ?? null;
    return { path, sha256: sha256?.toLowerCase() ?? null, bytes };
  };
  const hookNames = new Set(m.hooks.map((h) => h.name));
  const stray = m.interventionHooks.filter((h) => !hookNames.has(h));
  if (stray.length > 0) {
    throw new ManifestError(
      `manifest.json: intervention hooks not among hooks: ${stray.join(', ')}`,
    );
  }
  const usableLayout = m.attribution?.version === ATTRIBUTION_GRAPH_VERSION ? m.attribution : null;
  return {
    name: m.name,
    version: String(m.version),
    config: m.config,
    hooks: m.hooks,
    interventionHooks: m.interventionHooks,
    files: {
      forward: file(m.files.forward),
      plain: m.files.plain ? file(m.files.plain) : null,
      backward: m.files.backward ? file(m.files.backward) : null,
      weights: m.files.weights ? file(m.files.weights) : null,
      prefix: m.files.prefix ? file(m.files.prefix) : null,
      // The graph is usable only with the layout of its outputs, of the version this code reads.
      attribution: m.files.attribution && usableLayout ? file(m.files.attribution) : null,
      tokenizer: m.tokenizer ? file(m.tokenizer) : null,
    },
    attribution: m.files.attribution && usableLayout ? usableLayout : null,
  };
}

/** tokenizer.json's schema, built on first use (see buildManifestSchemas). */
function buildTokenizerSchema() {
  return z.object({
    type: z.literal('word-level'),
    vocab: z.array(z.string()).min(1),
    unk: z.string(),
    bos: z.string().nullable(),
    prependBos: z.boolean().optional(),
    rules: z.looseObject({
      pattern: z.string(),
      patternFlags: z.string().optional(),
      digitChunk: z.number().int().positive(),
      caseSensitive: z.boolean().optional(),
      decode: z
        .object({
          joiner: z.string(),
          noSpaceBefore: z.array(z.string()),
          noSpaceAfter: z.array(z.string()),
          joinConsecutiveDigits: z.boolean(),
        })
        .optional(),
    }),
  });
}
let tokenizerSchema: ReturnType<typeof buildTokenizerSchema> | undefined;

export type TokenizerSpec = z.infer<ReturnType<typeof buildTokenizerSchema>>;

/** Validates a tokenizer.json document. */
export function parseTokenizerSpec(json: unknown): TokenizerSpec {
  const parsed = (tokenizerSchema ??= buildTokenizerSchema()).safeParse(json);
  if (!parsed.success)
    throw new ManifestError(
      `tokenizer.json is malformed: ${describe(parsed.error)}`,
      'tokenizer.json',
    );
  return parsed.data;
}

/** Concrete sizes of a hook's axes for a run with `batch` rows of `pos` tokens. */
export function concreteShape(
  shape: readonly Axis[],
  config: ModelConfig,
  batch: number,
  pos: number,
): number[] {
  return shape.map((axis) => {
    switch (axis) {
      case 'batch':
        return batch;
      case 'pos':
      case 'query_pos':
      case 'key_pos':
        return pos;
      case 'd_mlp':
        if (config.d_mlp === null) throw new ManifestError('model has no MLP');
        return config.d_mlp;
      default:
        return config[axis];
    }
  });
}
