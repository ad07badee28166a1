/**
 * HookedModel: a model from public/models/<name>/ run through onnxruntime-web, with the
 * TransformerLens vocabulary — run with a cache of chosen hooks, run with interventions, sweep
 * patches in one batched call, and score every component by attribution patching from one
 * forward + backward call. Widgets use only this (and the pure helpers exported beside it).
 *
 * This file runs the model; loading is model-loading.ts (with sessions.ts), sweeps and
 * attribution are sweeps.ts, the logit lens is lens.ts.
 */
import { ManifestError, ModelError } from './errors';
import {
  buildInterventionFeeds,
  noIntervention,
  type Intervention,
  InterventionError,
  type InterventionFeed,
} from './interventions';
import { LazyGraph } from './lazy-graph';
import { logitLens } from './lens';
import { parseManifest, type HookInfo, type Manifest, type ModelConfig } from './manifest';
import {
  httpSource,
  readModelParts,
  readSource,
  type LoadProgress,
  type ModelParts,
  type ModelSource,
} from './model-loading';
import {
  createSession,
  SITE_BASE,
  type Backend,
  type Feed,
  type GraphSession,
  type SessionOptions,
} from './runtime';
import { checkInputs, startSession } from './sessions';
import {
  attributionGroups,
  attributionScores,
  patchSweep,
  type AttributionGroupsOptions,
  type AttributionOptions,
  type AttributionResult,
  type PatchSweepOptions,
  type PatchSweepResult,
} from './sweeps';
import type { Tensor } from './tensor';
import { Tokenizer } from './tokenizer';

/** Token ids of one prompt, or of a batch of equally long prompts. */
export type Tokens = readonly number[] | readonly (readonly number[])[];

export interface LoadOptions {
  /** URL of the folder holding <name>/manifest.json. Default `models/` under the site's base. */
  readonly baseUrl?: string;
  /** 'auto' (default): WebGPU when an adapter exists, else WASM. */
  readonly backend?: Backend | 'auto';
  readonly onProgress?: (progress: LoadProgress) => void;
  /** Cache Storage name; null disables caching. */
  readonly cacheName?: string | null;
  readonly signal?: AbortSignal;
}

/** A run's logits [batch, pos, d_vocab] and the requested hook activations. */
export interface RunResult {
  readonly logits: Tensor;
  readonly cache: ReadonlyMap<string, Tensor>;
}

function asBatch(tokens: Tokens): { rows: readonly (readonly number[])[]; pos: number } {
  const rows =
    typeof tokens[0] === 'number'
      ? [tokens as readonly number[]]
      : (tokens as readonly (readonly number[])[]);
  const pos = rows[0]?.length ?? 0;
  if (pos === 0) throw new InterventionError('tokens are empty');
  if (rows.some((r) => r.length !== pos))
    throw new InterventionError('batch rows differ in length');
  return { rows, pos };
}

function baseOf(url: string): string {
  return new URL(url, typeof location === 'undefined' ? undefined : location.href).href;
}

export class HookedModel {
  readonly manifest: Manifest;
  readonly config: ModelConfig;
  readonly tokenizer: Tokenizer;
  /** The backend actually in use ('webgpu' or 'wasm'). */
  readonly backend: Backend;
  /** Why WebGPU was not used although asked for, if it failed to start. */
  readonly fallbackReason: string | null;
  private readonly forwardSession: GraphSession;
  /** The graph without intervention inputs, used by every call that intervenes on nothing. */
  private readonly plainSession: GraphSession | null;
  /** The weights file the graphs share (kept for the graphs started on first use). */
  private readonly sessionOptions: SessionOptions;
  private readonly hooks: ReadonlyMap<string, HookInfo>;
  private readonly allHookNames: readonly string[];
  /** Graph input names of each intervention hook, in manifest order. */
  private readonly interventionInputs: readonly {
    name: string;
    rank: number;
    mask: string;
    value: string;
    add: string;
  }[];
  private readonly interventionHooks: ReadonlySet<string>;
  /** The backward graph (model.grad.onnx), started on the first attribution or gradient call. */
  private readonly backwardGraph: LazyGraph;
  /** The suffix-after-prefix graph (model.prefix.onnx), started on the first sweep. */
  private readonly prefixGraph: LazyGraph;
  /** The attribution graph (model.attrib.onnx), started on the first attribution. */
  private readonly attributionGraph: LazyGraph;

  private constructor(init: {
    manifest: Manifest;
    tokenizer: Tokenizer;
    session: GraphSession;
    plainSession: GraphSession | null;
    sessionOptions: SessionOptions;
    fallbackReason: string | null;
    readBackward: (() => Promise<Uint8Array>) | null;
    readPrefix: (() => Promise<Uint8Array>) | null;
    readAttribution: (() => Promise<Uint8Array>) | null;
  }) {
    this.manifest = init.manifest;
    this.config = init.manifest.config;
    this.tokenizer = init.tokenizer;
    this.forwardSession = init.session;
    this.plainSession = init.plainSession;
    this.sessionOptions = init.sessionOptions;
    this.backend = init.session.backend;
    this.fallbackReason = init.fallbackReason;
    this.hooks = new Map(init.manifest.hooks.map((h) => [h.name, h]));
    this.allHookNames = init.manifest.hooks.map((h) => h.name);
    this.interventionInputs = init.manifest.interventionHooks.map((name) => ({
      name,
      rank: this.hooks.get(name)!.shape.length,
      mask: `patch_mask:${name}`,
      value: `patch_value:${name}`,
      add: `add:${name}`,
    }));
    this.interventionHooks = new Set(init.manifest.interventionHooks);
    const lazy = (
      file: { path: string } | null | undefined,
      read: (() => Promise<Uint8Array>) | null,
      check?: 'backward',
    ) =>
      new LazyGraph(
        file && read
          ? async () => {
              const session = await createSession(
                await read(),
                this.backend,
                file.path,
                this.sessionOptions,
              );
              if (check) checkInputs(this.manifest, session, check);
              return session;
            }
          : null,
      );
    this.backwardGraph = lazy(init.manifest.files.backward, init.readBackward, 'backward');
    this.prefixGraph = lazy(init.manifest.files.prefix, init.readPrefix);
    this.attributionGraph = lazy(init.manifest.files.attribution, init.readAttribution);
    checkInputs(init.manifest, init.session, 'forward');
    if (init.plainSession) checkInputs(init.manifest, init.plainSession, 'plain');
  }

  /**
   * Loads public/models/<name>/ in the page: manifest, tokenizer, the forward graphs (with and
   * without intervention inputs) and the weights file they share, each checked against the
   * manifest's sha256 and cached under it (the backward graph is fetched on the first attribution
   * call). Throws ModelFileMissingError, ModelFileCorruptError / ManifestError or
   * ModelSessionError with a readable message.
   */
  static async load(name: string, options: LoadOptions = {}): Promise<HookedModel> {
    const folder = options.baseUrl ?? `${SITE_BASE}models/`;
    const modelUrl = baseOf(`${folder.replace(/\/?$/, '/')}${name}/`);
    const source = httpSource(modelUrl, {
      ...(options.cacheName !== undefined && { cacheName: options.cacheName }),
      ...(options.signal && { signal: options.signal }),
    });
    return HookedModel.fromSource(source, options);
  }

  /**
   * Builds a model from a folder read by `read(path)` (a path inside the model's folder, e.g.
   * 'manifest.json'; Node tests and benchmarks read from disk): the same path as `load`, every
   * file checked against the manifest, no cache. `backward: false` leaves the backward graph out,
   * `attribution: false` the attribution graph (attribution then runs on the backward graph, as
   * on a model exported before the attribution graph existed).
   */
  static async fromFiles(
    read: (path: string) => Uint8Array | Promise<Uint8Array>,
    options: { backend?: Backend | 'auto'; backward?: boolean; attribution?: boolean } = {},
  ): Promise<HookedModel> {
    const parts = await readModelParts(readSource(read));
    return HookedModel.fromParts(
      {
        ...parts,
        ...(options.backward === false && { backward: null }),
        ...(options.attribution === false && { attribution: null }),
      },
      { ...(options.backend && { backend: options.backend }) },
    );
  }

  /**
   * Builds a model from bytes already in memory: no fetching, no cache. `weights` is required
   * when the manifest names a weights file; without `plain`, runs that intervene on nothing use
   * the forward graph with zero interventions.
   */
  static async fromBytes(init: {
    manifest: unknown;
    tokenizer: unknown;
    forward: Uint8Array;
    plain?: Uint8Array | null;
    backward?: Uint8Array | null;
    prefix?: Uint8Array | null;
    attribution?: Uint8Array | null;
    weights?: Uint8Array | null;
    backend?: Backend | 'auto';
  }): Promise<HookedModel> {
    const { backward, prefix, attribution } = init;
    return HookedModel.fromParts(
      {
        manifest: parseManifest(init.manifest),
        tokenizer: Tokenizer.fromJson(init.tokenizer),
        forward: init.forward,
        plain: init.plain ?? null,
        weights: init.weights ?? null,
        backward: backward ? () => Promise.resolve(backward) : null,
        prefix: prefix ? () => Promise.resolve(prefix) : null,
        attribution: attribution ? () => Promise.resolve(attribution) : null,
      },
      { ...(init.backend && { backend: init.backend }) },
    );
  }

  /** Reads the parts from `source`, then starts the sessions, reporting progress throughout. */
  private static async fromSource(source: ModelSource, options: LoadOptions): Promise<HookedModel> {
    const report = options.onProgress;
    const parts = await readModelParts(source, report);
    report?.({ stage: 'session', fraction: 0.9 });
    const model = await HookedModel.fromParts(parts, options);
    report?.({ stage: 'ready', fraction: 1 });
    return model;
  }

  /** Starts the forward sessions (the backend is chosen with the first) and builds the model. */
  private static async fromParts(
    parts: ModelParts,
    options: { backend?: Backend | 'auto' },
  ): Promise<HookedModel> {
    const { manifest } = parts;
    const weightsFile = manifest.files.weights;
    if (weightsFile && !parts.weights) {
      throw new ManifestError(
        `${manifest.name}'s graphs keep their weights in ${weightsFile.path}: its bytes are needed`,
        weightsFile.path,
      );
    }
    const sessionOptions: SessionOptions =
      weightsFile && parts.weights
        ? { externalData: [{ path: weightsFile.path, data: parts.weights }] }
        : {};
    const { session, fallbackReason } = await startSession(
      parts.forward,
      manifest.files.forward.path,
      options.backend,
      sessionOptions,
    );
    let plainSession: GraphSession | null = null;
    if (parts.plain && manifest.files.plain) {
      try {
        plainSession = await createSession(
          parts.plain,
          session.backend,
          manifest.files.plain.path,
          sessionOptions,
        );
      } catch (error) {
        await session.release();
        throw error;
      }
    }
    return new HookedModel({
      manifest,
      tokenizer: parts.tokenizer,
      session,
      plainSession,
      sessionOptions,
      fallbackReason,
      readBackward: parts.backward,
      readPrefix: parts.prefix ?? null,
      readAttribution: parts.attribution ?? null,
    });
  }

  /** All hook names, in execution order. */
  get hookNames(): readonly string[] {
    return this.allHookNames;
  }

  /** Hooks that accept interventions (all but attention scores). */
  get interventionHookNames(): readonly string[] {
    return this.manifest.interventionHooks;
  }

  /** Whether model.grad.onnx exists (attribution patching possible). */
  get hasGradients(): boolean {
    return this.backwardGraph.exists;
  }

  /** `blocks.{l}.<suffix>` for every layer that has it, e.g. blockHooks('attn.hook_z'). */
  blockHooks(suffix: string): string[] {
    return Array.from({ length: this.config.n_layers }, (_, l) => `blocks.${l}.${suffix}`).filter(
      (n) => this.hooks.has(n),
    );
  }

  /** A hook's name, shape labels and where it sits; throws InterventionError for an unknown name. */
  hookInfo(name: string): HookInfo {
    const hook = this.hooks.get(name);
    if (!hook) throw new InterventionError(`unknown hook ${name}`);
    return hook;
  }

  /** Shape labels of a hook, e.g. ['batch', 'pos', 'd_model']. */
  hookShape(name: string): readonly string[] {
    const hook = this.hooks.get(name);
    if (!hook) throw new InterventionError(`unknown hook ${name}`);
    return hook.shape;
  }

  /** Runs the model and returns logits plus the named hook activations. */
  runWithCache(
    tokens: Tokens,
    hookNames: readonly string[] = [],
    interventions: readonly Intervention[] = [],
  ): Promise<RunResult> {
    return this.forward(tokens, interventions, hookNames);
  }

  /** Runs the model with patches, ablations and additions; optionally caches hooks too. */
  runWithInterventions(
    tokens: Tokens,
    interventions: readonly Intervention[],
    hookNames: readonly string[] = [],
  ): Promise<RunResult> {
    return this.forward(tokens, interventions, hookNames);
  }

  /** The `tokens` input, checked against the vocabulary and context. */
  private tokenFeed(rows: readonly (readonly number[])[], pos: number): Feed {
    for (const r of rows) {
      for (const id of r) {
        if (!Number.isInteger(id) || id < 0 || id >= this.config.d_vocab) {
          throw new InterventionError(
            `token id ${id} outside the vocabulary [0, ${this.config.d_vocab})`,
          );
        }
      }
    }
    if (pos > this.config.n_ctx) {
      throw new InterventionError(`${pos} tokens exceed the context of ${this.config.n_ctx}`);
    }
    return { int64: BigInt64Array.from(rows.flat(), (t) => BigInt(t)), dims: [rows.length, pos] };
  }

  private feeds(
    rows: readonly (readonly number[])[],
    pos: number,
    inputs: ReadonlyMap<string, Partial<InterventionFeed>>,
  ): Map<string, Feed> {
    const feeds = new Map<string, Feed>([['tokens', this.tokenFeed(rows, pos)]]);
    // Every intervention input must be fed; unused ones get a shared zero (the common case,
    // kept cheap: this runs once per call for ~50 hooks).
    for (const { name, rank, mask, value, add } of this.interventionInputs) {
      const feed = inputs.get(name);
      const none = noIntervention(rank);
      if (!feed) {
        feeds.set(mask, none).set(value, none).set(add, none);
        continue;
      }
      for (const [input, tensor] of [
        [mask, feed.mask],
        [value, feed.value],
        [add, feed.add],
      ] as const) {
        if (tensor && tensor.dims.length !== rank) {
          throw new InterventionError(`${input} must have rank ${rank}, got [${tensor.dims}]`);
        }
        feeds.set(input, tensor ?? none);
      }
    }
    return feeds;
  }

  /**
   * Runs with the graph's own intervention inputs: for hook H, h' = h + mask*(value − h) + add,
   * each tensor at H's rank and broadcasting to its shape. Most callers want
   * runWithInterventions, which builds these from intervention descriptions. With no inputs,
   * the run goes through the plain graph (no intervention inputs or ops), when there is one.
   */
  async runWithHookInputs(
    tokens: Tokens,
    inputs: ReadonlyMap<string, Partial<InterventionFeed>>,
    hookNames: readonly string[] = [],
  ): Promise<RunResult> {
    this.checkHooks(hookNames);
    const stray = [...inputs.keys()].filter((h) => !this.interventionHooks.has(h));
    if (stray.length > 0)
      throw new InterventionError(`not intervention hooks: ${stray.join(', ')}`);
    const { rows, pos } = asBatch(tokens);
    const fetches = ['logits', ...new Set(hookNames)];
    const out =
      inputs.size === 0 && this.plainSession
        ? await this.plainSession.run(new Map([['tokens', this.tokenFeed(rows, pos)]]), fetches)
        : await this.forwardSession.run(this.feeds(rows, pos, inputs), fetches);
    const logits = out.get('logits')!;
    out.delete('logits');
    return { logits, cache: out };
  }

  private checkHooks(hookNames: readonly string[]): void {
    const unknown = hookNames.filter((n) => !this.hooks.has(n));
    if (unknown.length > 0) throw new InterventionError(`unknown hook(s): ${unknown.join(', ')}`);
  }

  private forward(
    tokens: Tokens,
    interventions: readonly Intervention[],
    hookNames: readonly string[],
  ): Promise<RunResult> {
    const { rows, pos } = asBatch(tokens);
    const inputs = buildInterventionFeeds(
      this.hooks,
      this.interventionHooks,
      this.config,
      rows.length,
      pos,
      interventions,
    );
    return this.runWithHookInputs(rows, inputs, hookNames);
  }

  private backwardSession(): Promise<GraphSession> {
    if (!this.backwardGraph.exists)
      return Promise.reject(new ModelError(`${this.manifest.name} has no backward graph`));
    return this.backwardGraph.get();
  }

  /**
   * Whether `runAfterPrefix` can run: the model has a prefix graph (model.prefix.onnx) and it
   * started (it is read on the first call). A graph that cannot be had (offline, with a cache
   * from before it existed) answers false, and the sweep computes every position instead.
   */
  hasPrefixGraph(): Promise<boolean> {
    return this.prefixGraph.available();
  }

  /**
   * Logits [batch, suffix, d_vocab] of suffix tokens after a prefix given by its keys and values
   * (`past`: past_k:{l} / past_v:{l} → [1, n_heads, prefix, d_head]), with interventions at the
   * suffix positions (see prefix-sweep.ts). Call hasPrefixGraph first.
   */
  async runAfterPrefix(
    tokens: readonly (readonly number[])[],
    past: ReadonlyMap<string, Tensor>,
    interventions: readonly Intervention[],
  ): Promise<Tensor> {
    const started = this.prefixGraph.started;
    if (!started) throw new ModelError(`${this.manifest.name}'s prefix graph is not started`);
    const session = await started;
    const { rows, pos } = asBatch(tokens);
    const inputs = buildInterventionFeeds(
      this.hooks,
      this.interventionHooks,
      this.config,
      rows.length,
      pos,
      interventions,
    );
    const feeds = this.feeds(rows, pos, inputs);
    for (const [name, kv] of past) feeds.set(name, kv);
    const out = await session.run(feeds, ['logits']);
    return out.get('logits')!;
  }

  /**
   * Loads the backward graph (and the attribution graph, when the model has one) now; they are
   * otherwise fetched on the first attribution call.
   */
  async prepareGradients(): Promise<void> {
    await this.backwardSession();
    await this.hasAttributionGraph();
  }

  /**
   * Whether `runAttributionGraph` can run: the model has an attribution graph (model.attrib.onnx)
   * and it started (it is read on the first call). A graph that cannot be had (offline, with a
   * cache from before it existed) answers false, and attribution goes through the backward graph.
   */
  hasAttributionGraph(): Promise<boolean> {
    return this.attributionGraph.available();
  }

  /**
   * One call of the attribution graph (see attribution-graph.ts): the shared `prefix` tokens, the
   * rest of the source and of the target prompt up to the position the metric reads, and the
   * target's dMetric/dlogits there [1, d_vocab]. Returns both prompts' logits there [2, d_vocab]
   * and the chunked scores `attr` and `attrPattern`. Call hasAttributionGraph first.
   */
  async runAttributionGraph(
    prefix: readonly number[],
    tokens: readonly [readonly number[], readonly number[]],
    logitGrad: Tensor,
  ): Promise<{ logits: Tensor; attr: Tensor; attrPattern: Tensor }> {
    const started = this.attributionGraph.started;
    if (!started) throw new ModelError(`${this.manifest.name}'s attribution graph is not started`);
    const session = await started;
    const suffix = asBatch(tokens);
    if (prefix.length === 0) throw new InterventionError('the attribution graph needs a prefix');
    const expected = [1, this.config.d_vocab];
    if (logitGrad.dims.join() !== expected.join()) {
      throw new InterventionError(`logit gradient must be [${expected}], got [${logitGrad.dims}]`);
    }
    if (prefix.length + suffix.pos > this.config.n_ctx) {
      throw new InterventionError(
        `${prefix.length + suffix.pos} tokens exceed the context of ${this.config.n_ctx}`,
      );
    }
    const feeds = new Map<string, Feed>([
      ['prefix', this.tokenFeed([prefix], prefix.length)],
      ['tokens', this.tokenFeed(suffix.rows, suffix.pos)],
      ['logit_grad', logitGrad],
    ]);
    const out = await session.run(feeds, ['logits', 'attr', 'attr_pattern']);
    return {
      logits: out.get('logits')!,
      attr: out.get('attr')!,
      attrPattern: out.get('attr_pattern')!,
    };
  }

  /**
   * One forward + backward call: logits, the named activations, and dMetric/dH for the named
   * hooks, where `logitGrad` [batch, pos, d_vocab] is dMetric/dLogits.
   */
  async runWithGradients(
    tokens: Tokens,
    logitGrad: Tensor,
    hookNames: readonly string[],
  ): Promise<{
    logits: Tensor;
    cache: ReadonlyMap<string, Tensor>;
    grads: ReadonlyMap<string, Tensor>;
  }> {
    this.checkHooks(hookNames);
    const notIntervenable = hookNames.filter((n) => !this.interventionHooks.has(n));
    if (notIntervenable.length > 0)
      throw new InterventionError(`no gradient at ${notIntervenable.join(', ')}`);
    const { rows, pos } = asBatch(tokens);
    const tokenFeed = this.tokenFeed(rows, pos);
    const expected = [rows.length, pos, this.config.d_vocab];
    if (logitGrad.dims.join() !== expected.join()) {
      throw new InterventionError(`logit gradient must be [${expected}], got [${logitGrad.dims}]`);
    }
    const session = await this.backwardSession();
    const feeds = new Map<string, Feed>([
      ['tokens', tokenFeed],
      ['logit_grad', logitGrad],
    ]);
    const unique = [...new Set(hookNames)];
    const out = await session.run(feeds, ['logits', ...unique, ...unique.map((n) => `grad:${n}`)]);
    const grads = new Map<string, Tensor>();
    const cache = new Map<string, Tensor>();
    for (const n of unique) {
      cache.set(n, out.get(n)!);
      grads.set(n, out.get(`grad:${n}`)!);
    }
    return { logits: out.get('logits')!, cache, grads };
  }

  /**
   * Activation patching over hooks × positions (or heads): every patched run goes into one
   * batched call (or a few, with maxBatch). Returns the metric of each patched run. Cells whose
   * patch would change nothing are not run (skipUnchanged). See sweeps.ts.
   */
  patchSweep(options: PatchSweepOptions): Promise<PatchSweepResult> {
    return patchSweep(this, options);
  }

  /**
   * Attribution patching: estimates every patchSweep cell at once from the gradient of the metric
   * at the target run, with one forward + backward call. See sweeps.ts.
   */
  attributionScores(options: AttributionOptions): Promise<AttributionResult> {
    return attributionScores(this, options);
  }

  /** Attribution patching for several groups of hooks from one forward + backward call. */
  attributionGroups(options: AttributionGroupsOptions): Promise<AttributionResult[]> {
    return attributionGroups(this, options);
  }

  /**
   * Logit lens: what the model would predict from the residual stream before the first block
   * and after each block (the last row is the real output). See lens.ts.
   */
  logitLens(tokens: readonly number[]): Promise<{ labels: string[]; logits: Tensor }> {
    return logitLens(this, tokens);
  }

  /** Frees the ORT sessions. */
  async release(): Promise<void> {
    await this.forwardSession.release();
    await this.plainSession?.release();
    await this.backwardGraph.release();
    await this.prefixGraph.release();
    await this.attributionGraph.release();
  }
}
