/**
 * HookedModel: a model from public/models/<name>/ run through onnxruntime-web, with the
 * TransformerLens vocabulary — run with a cache of chosen hooks, run with interventions, sweep
 * patches in one batched call, and score every component by attribution patching from one
 * forward + backward call. Widgets use only this (and the pure helpers exported beside it).
 */
import { ManifestError, ModelError } from './errors';
import { fetchJson, fetchModelFile, type FileProgress } from './files';
import {
  buildInterventionFeeds,
  noIntervention,
  type Intervention,
  InterventionError,
  type InterventionFeed,
} from './interventions';
import {
  parseManifest,
  parseTokenizerSpec,
  type HookInfo,
  type Manifest,
  type ModelConfig,
  type ModelFile,
} from './manifest';
import type { LogitMetric } from './metrics';
import {
  attributionAlong,
  differsAlong,
  sweepAxisIndex,
  sweepCells,
  sweepInterventions,
  type PatchDirection,
  type SweepAxis,
} from './patching';
import {
  firstDifferingPosition,
  joinLogits,
  firstChangedPosition,
  pastFromHook,
  planBatches,
  prefixReusable,
  suffixInterventions,
} from './prefix-sweep';
import {
  chooseBackend,
  createSession,
  type Backend,
  type Feed,
  type GraphSession,
  type SessionOptions,
} from './runtime';
import { row, stack, type Tensor } from './tensor';
import { Tokenizer } from './tokenizer';

/** Token ids of one prompt, or of a batch of equally long prompts. */
export type Tokens = readonly number[] | readonly (readonly number[])[];

export interface LoadProgress {
  readonly stage: 'manifest' | 'download' | 'session' | 'ready';
  /** 0..1 over the whole load (downloads weigh most). */
  readonly fraction: number;
  readonly file?: FileProgress;
}

export interface LoadOptions {
  /** URL of the folder holding <name>/manifest.json. Default '/models/' on this origin. */
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

export interface PatchSweepOptions {
  readonly clean: readonly number[];
  readonly corrupted: readonly number[];
  /** Hooks to sweep, e.g. model.blockHooks('hook_resid_pre'). */
  readonly hooks: readonly string[];
  /** Patch one position (default) or one head at a time. */
  readonly over?: SweepAxis;
  readonly metric: LogitMetric;
  /** 'denoise' (default): run corrupted, patch in clean. 'noise': the reverse. */
  readonly direction?: PatchDirection;
  /** Most patched runs per call (memory bound); default: all in one call. */
  readonly maxBatch?: number;
  /**
   * Skip (default true) the cells where the two runs' activations are identical, whose patched
   * run is the unpatched one: they score the unpatched metric without being run. Off, every
   * cell is run (to measure batching alone).
   */
  readonly skipUnchanged?: boolean;
  /**
   * Compute only the positions a batch's patches can change (default true, where the model has
   * a prefix graph and the hooks have a position axis but no key axis): the positions before
   * them are the target run's, whose keys and values the prefix graph takes (prefix-sweep.ts).
   */
  readonly reusePrefix?: boolean;
}

export interface PatchSweepResult {
  readonly hooks: readonly string[];
  readonly over: SweepAxis;
  /** Metric of each patched run, [hooks, positions or heads]. */
  readonly scores: Tensor;
  /** Metric of the unpatched clean and corrupted runs. */
  readonly clean: number;
  readonly corrupted: number;
  /** Graph calls made (1 for the baselines + patched-run batches). */
  readonly calls: number;
  /**
   * Patched runs computed; the other cells patched in an activation identical to the one they
   * replaced, and score the unpatched run's metric (see differsAlong). Attribution: 0.
   */
  readonly patchedRuns: number;
  /**
   * Leading positions the patched runs took from the target run instead of computing them (the
   * smallest over the sweep's calls; 0: every position was computed). See reusePrefix.
   */
  readonly reusedPrefix: number;
  readonly milliseconds: number;
}

export type AttributionOptions = Omit<PatchSweepOptions, 'maxBatch' | 'skipUnchanged'>;

export interface AttributionResult extends PatchSweepResult {
  /** Linear estimate of each patch's change of the metric, [hooks, positions or heads]. */
  readonly deltas: Tensor;
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
  private gradSession: Promise<GraphSession> | null = null;
  /** The suffix-after-prefix graph (model.prefix.onnx), started on the first sweep. */
  private suffixSession: Promise<GraphSession> | null = null;
  /** The weights file the graphs share (kept for the backward graph, started on first use). */
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
  private readonly modelUrl: string;
  private readonly loadOptions: LoadOptions;

  private constructor(init: {
    manifest: Manifest;
    tokenizer: Tokenizer;
    session: GraphSession;
    plainSession: GraphSession | null;
    sessionOptions: SessionOptions;
    fallbackReason: string | null;
    modelUrl: string;
    options: LoadOptions;
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
    this.modelUrl = init.modelUrl;
    this.loadOptions = init.options;
    checkInputs(init.manifest, init.session, 'forward');
    if (init.plainSession) checkInputs(init.manifest, init.plainSession, 'plain');
  }

  /**
   * Loads public/models/<name>/: manifest, tokenizer, the forward graphs (with and without
   * intervention inputs) and the weights file they share (the backward graph is fetched on the
   * first attribution call). Throws ModelFileMissingError, ModelFileCorruptError /
   * ManifestError or ModelSessionError with a readable message.
   */
  static async load(name: string, options: LoadOptions = {}): Promise<HookedModel> {
    const modelUrl = baseOf(`${(options.baseUrl ?? '/models/').replace(/\/?$/, '/')}${name}/`);
    const report = options.onProgress;
    report?.({ stage: 'manifest', fraction: 0 });
    const fetchOptions = {
      ...(options.cacheName !== undefined && { cacheName: options.cacheName }),
      ...(options.signal && { signal: options.signal }),
    };
    const manifest = parseManifest(
      await fetchJson(new URL('manifest.json', modelUrl).href, fetchOptions),
    );
    const tokenizerFile = manifest.files.tokenizer ?? {
      path: 'tokenizer.json',
      sha256: null,
      bytes: null,
    };
    const { forward, plain, weights } = manifest.files;
    const files = [forward, tokenizerFile, plain, weights].filter((f): f is ModelFile => !!f);
    const loaded = new Map<string, number>();
    const totalBytes = files.reduce((s, f) => s + (f.bytes ?? 0), 0);
    const download = (file: ModelFile) =>
      fetchModelFile(modelUrl, file, {
        ...fetchOptions,
        onProgress: (p) => {
          loaded.set(p.file, p.loaded);
          const done = [...loaded.values()].reduce((s, n) => s + n, 0);
          report?.({
            stage: 'download',
            fraction: totalBytes > 0 ? Math.min(0.9, (0.9 * done) / totalBytes) : 0,
            file: p,
          });
        },
      });
    const [forwardBytes, tokenizerBytes, ...rest] = await Promise.all(files.map(download));
    const plainBytes = plain ? rest.shift()! : null;
    const weightsBytes = weights ? rest.shift()! : null;
    let tokenizerJson: unknown;
    try {
      tokenizerJson = JSON.parse(new TextDecoder().decode(tokenizerBytes));
    } catch (cause) {
      throw new ManifestError('tokenizer.json is not valid JSON', tokenizerFile.path, { cause });
    }
    const tokenizer = new Tokenizer(parseTokenizerSpec(tokenizerJson));
    report?.({ stage: 'session', fraction: 0.9 });
    const model = await HookedModel.start({
      manifest,
      tokenizer,
      forward: forwardBytes!,
      plain: plainBytes,
      weights: weightsBytes,
      backend: options.backend,
      modelUrl,
      options,
    });
    report?.({ stage: 'ready', fraction: 1 });
    return model;
  }

  /** Starts the forward sessions (the backend is chosen with the first) and builds the model. */
  private static async start(init: {
    manifest: Manifest;
    tokenizer: Tokenizer;
    forward: Uint8Array;
    plain: Uint8Array | null;
    weights: Uint8Array | null;
    backend: Backend | 'auto' | undefined;
    modelUrl: string;
    options: LoadOptions;
  }): Promise<HookedModel> {
    const { manifest } = init;
    const weightsFile = manifest.files.weights;
    if (weightsFile && !init.weights) {
      throw new ManifestError(
        `${manifest.name}'s graphs keep their weights in ${weightsFile.path}: its bytes are needed`,
        weightsFile.path,
      );
    }
    const sessionOptions: SessionOptions =
      weightsFile && init.weights
        ? { externalData: [{ path: weightsFile.path, data: init.weights }] }
        : {};
    const { session, fallbackReason } = await startSession(
      init.forward,
      manifest.files.forward.path,
      init.backend,
      sessionOptions,
    );
    let plainSession: GraphSession | null = null;
    if (init.plain && manifest.files.plain) {
      try {
        plainSession = await createSession(
          init.plain,
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
      tokenizer: init.tokenizer,
      session,
      plainSession,
      sessionOptions,
      fallbackReason,
      modelUrl: init.modelUrl,
      options: init.options,
    });
  }

  /**
   * Builds a model from bytes already in memory (Node tests, benchmarks): no fetching, no cache.
   * `weights` is required when the manifest names a weights file; without `plain`, runs that
   * intervene on nothing use the forward graph with zero interventions.
   */
  static async fromBytes(init: {
    manifest: unknown;
    tokenizer: unknown;
    forward: Uint8Array;
    plain?: Uint8Array | null;
    backward?: Uint8Array | null;
    prefix?: Uint8Array | null;
    weights?: Uint8Array | null;
    backend?: Backend | 'auto';
  }): Promise<HookedModel> {
    const manifest = parseManifest(init.manifest);
    const model = await HookedModel.start({
      manifest,
      tokenizer: Tokenizer.fromJson(init.tokenizer),
      forward: init.forward,
      plain: init.plain ?? null,
      weights: init.weights ?? null,
      backend: init.backend,
      modelUrl: '',
      options: {},
    });
    if (init.backward && manifest.files.backward) {
      const path = manifest.files.backward.path;
      model.gradSession = createSession(
        init.backward,
        model.backend,
        path,
        model.sessionOptions,
      ).then((s) => {
        checkInputs(manifest, s, 'backward');
        return s;
      });
    }
    if (init.prefix && manifest.files.prefix) {
      const path = manifest.files.prefix.path;
      model.suffixSession = createSession(init.prefix, model.backend, path, model.sessionOptions);
    }
    return model;
  }

  /**
   * Builds a model from a folder read by `read(path)` (a path inside the model's folder, e.g.
   * 'manifest.json'; Node tests read from disk): every file the manifest names, no cache.
   */
  static async fromFiles(
    read: (path: string) => Uint8Array | Promise<Uint8Array>,
    options: { backend?: Backend | 'auto'; backward?: boolean } = {},
  ): Promise<HookedModel> {
    const json = async (path: string): Promise<unknown> =>
      JSON.parse(new TextDecoder().decode(await read(path)));
    const manifestJson = await json('manifest.json');
    const manifest = parseManifest(manifestJson);
    const bytes = (file: ModelFile | null) => (file ? read(file.path) : null);
    const { forward, plain, weights, backward, prefix, tokenizer } = manifest.files;
    return HookedModel.fromBytes({
      manifest: manifestJson,
      tokenizer: await json(tokenizer?.path ?? 'tokenizer.json'),
      forward: await read(forward.path),
      plain: await bytes(plain),
      weights: await bytes(weights),
      backward: options.backward === false ? null : await bytes(backward),
      prefix: await bytes(prefix),
      ...(options.backend && { backend: options.backend }),
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
    return this.manifest.files.backward !== null;
  }

  /** `blocks.{l}.<suffix>` for every layer that has it, e.g. blockHooks('attn.hook_z'). */
  blockHooks(suffix: string): string[] {
    return Array.from({ length: this.config.n_layers }, (_, l) => `blocks.${l}.${suffix}`).filter(
      (n) => this.hooks.has(n),
    );
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
    const file = this.manifest.files.backward;
    if (!file) return Promise.reject(new ModelError(`${this.manifest.name} has no backward graph`));
    this.gradSession ??= (async () => {
      const bytes = await fetchModelFile(this.modelUrl, file, {
        ...(this.loadOptions.cacheName !== undefined && { cacheName: this.loadOptions.cacheName }),
      });
      const session = await createSession(bytes, this.backend, file.path, this.sessionOptions);
      checkInputs(this.manifest, session, 'backward');
      return session;
    })();
    // A failed load can be retried.
    this.gradSession.catch(() => (this.gradSession = null));
    return this.gradSession;
  }

  /** The prefix graph's session (fetched and started on first use), or null without one. */
  private prefixSession(): Promise<GraphSession> | null {
    const file = this.manifest.files.prefix;
    if (!file) return null;
    this.suffixSession ??= (async () => {
      const bytes = await fetchModelFile(this.modelUrl, file, {
        ...(this.loadOptions.cacheName !== undefined && { cacheName: this.loadOptions.cacheName }),
      });
      return createSession(bytes, this.backend, file.path, this.sessionOptions);
    })();
    this.suffixSession.catch(() => (this.suffixSession = null));
    return this.suffixSession;
  }

  /**
   * Logits [batch, suffix, d_vocab] of suffix tokens after a prefix given by its keys and values
   * (`past`: past_k:{l} / past_v:{l} → [1, n_heads, prefix, d_head]), with interventions at the
   * suffix positions.
   */
  private async runSuffix(
    session: GraphSession,
    rows: readonly (readonly number[])[],
    past: ReadonlyMap<string, Tensor>,
    interventions: readonly Intervention[],
  ): Promise<Tensor> {
    const pos = rows[0]!.length;
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

  /** Loads the backward graph now (it is otherwise fetched on the first attribution call). */
  async prepareGradients(): Promise<void> {
    await this.backwardSession();
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

  private sweepSetup(options: AttributionOptions) {
    const over = options.over ?? 'positions';
    const direction = options.direction ?? 'denoise';
    if (options.clean.length !== options.corrupted.length) {
      throw new InterventionError(
        'clean and corrupted prompts must have the same number of tokens',
      );
    }
    this.checkHooks(options.hooks);
    const infos = options.hooks.map((n) => this.hooks.get(n)!);
    const widths = infos.map((h) => {
      const axis = h.shape[sweepAxisIndex(h, over)]!;
      return axis === 'n_heads' ? this.config.n_heads : options.clean.length;
    });
    const source = direction === 'denoise' ? options.clean : options.corrupted;
    const target = direction === 'denoise' ? options.corrupted : options.clean;
    return { over, direction, infos, width: widths[0] ?? 0, source, target };
  }

  /**
   * Activation patching over hooks × positions (or heads): every patched run goes into one
   * batched call (or a few, with maxBatch). Returns the metric of each patched run. Cells whose
   * patch would change nothing are not run (skipUnchanged).
   */
  async patchSweep(options: PatchSweepOptions): Promise<PatchSweepResult> {
    const t0 = performance.now();
    const { over, source, target, width, infos } = this.sweepSetup(options);
    const suffixGraph =
      options.reusePrefix !== false && prefixReusable(infos) ? this.prefixSession() : null;
    // The target run's keys and values, which the prefix graph takes for the shared prefix.
    const kvHooks = suffixGraph
      ? [...this.blockHooks('attn.hook_k'), ...this.blockHooks('attn.hook_v')]
      : [];
    // Baselines and the source activations in one call: row 0 = source, row 1 = target.
    const base = await this.forward([source, target], [], [...options.hooks, ...kvHooks]);
    const metricOf = (logits: Tensor, r: number) => options.metric.evaluate(row(logits, r));
    const sourceMetric = metricOf(base.logits, 0);
    const targetMetric = metricOf(base.logits, 1);
    const sources = new Map(
      options.hooks.map((h) => {
        const act = base.cache.get(h)!;
        const one = row(act, 0);
        return [h, { data: one.data, dims: [1, ...one.dims] }] as const;
      }),
    );
    const cells = sweepCells(options.hooks.length, width);
    // An unchanged cell's patched run is the target run: it scores the target's metric.
    const scores = new Float32Array(cells.length).fill(targetMetric);
    const differs =
      options.skipUnchanged === false
        ? null
        : infos.map((info) => {
            const act = base.cache.get(info.name)!;
            return differsAlong(info, over, act, 0, act, 1);
          });
    const runs = cells
      .map((cell, k) => ({ cell, k }))
      .filter(({ cell }) => differs?.[cell.hookIndex]![cell.index] ?? true);
    const maxBatch = Math.max(1, options.maxBatch ?? runs.length);
    // A prefix graph that cannot be had (offline, with a cache from before it existed) costs
    // only speed: the sweep runs every position.
    const suffixSession = suffixGraph && (await suffixGraph.catch(() => null));
    const suffix = suffixSession && {
      session: suffixSession,
      targetLogits: row(base.logits, 1),
      firstDiffering: infos.map((info) =>
        firstDifferingPosition(info, base.cache.get(info.name)!, 0, 1),
      ),
    };
    let calls = 1;
    let reusedPrefix = runs.length > 0 ? target.length : 0;
    // With the prefix graph, batches group runs that change the same stretch of the prompt.
    const firstChanged = runs.map(({ cell }) =>
      suffix
        ? Math.min(target.length - 1, firstChangedPosition(cell, over, suffix.firstDiffering))
        : 0,
    );
    const batches = suffix
      ? planBatches(firstChanged, target.length, maxBatch)
      : Array.from({ length: Math.ceil(runs.length / maxBatch) }, (_, b) =>
          runs.slice(b * maxBatch, (b + 1) * maxBatch).map((_, i) => b * maxBatch + i),
        );
    for (const batch of batches) {
      const chunk = batch.map((i) => runs[i]!);
      const prefix = suffix ? Math.min(...batch.map((i) => firstChanged[i]!)) : 0;
      reusedPrefix = Math.min(reusedPrefix, prefix);
      if (suffix && prefix > 0) {
        const past = new Map<string, Tensor>();
        for (let l = 0; l < this.config.n_layers; l++) {
          past.set(
            `past_k:${l}`,
            pastFromHook(base.cache.get(`blocks.${l}.attn.hook_k`)!, 1, prefix),
          );
          past.set(
            `past_v:${l}`,
            pastFromHook(base.cache.get(`blocks.${l}.attn.hook_v`)!, 1, prefix),
          );
        }
        const patches = suffixInterventions(
          chunk.map(({ cell }) => cell),
          infos,
          sources,
          over,
          prefix,
        );
        const rows = chunk.map(() => target.slice(prefix));
        const logits = await this.runSuffix(suffix.session, rows, past, patches);
        calls++;
        chunk.forEach(
          ({ k }, r) =>
            (scores[k] = options.metric.evaluate(joinLogits(suffix.targetLogits, logits, r))),
        );
        continue;
      }
      const rows = chunk.map(() => target);
      const interventions = sweepInterventions(
        chunk.map(({ cell }) => cell),
        options.hooks,
        sources,
        over,
      );
      const { logits } = await this.forward(rows, interventions, []);
      calls++;
      chunk.forEach(({ k }, r) => (scores[k] = metricOf(logits, r)));
    }
    const clean = options.direction === 'noise' ? targetMetric : sourceMetric;
    const corrupted = options.direction === 'noise' ? sourceMetric : targetMetric;
    return {
      hooks: options.hooks,
      over,
      scores: { data: scores, dims: [options.hooks.length, width] },
      clean,
      corrupted,
      calls,
      patchedRuns: runs.length,
      reusedPrefix,
      milliseconds: performance.now() - t0,
    };
  }

  /**
   * Attribution patching: estimates every patchSweep cell at once from the gradient of the metric
   * at the target run, (a_source − a_target) · dMetric/da, with one forward + backward call on a
   * batch of [source, target] (a non-linear metric needs one extra forward call for its gradient).
   */
  async attributionScores(options: AttributionOptions): Promise<AttributionResult> {
    const { hooks, over, ...rest } = options;
    const [result] = await this.attributionGroups({
      ...rest,
      groups: [{ hooks, over: over ?? 'positions' }],
    });
    return result!;
  }

  /**
   * Attribution patching for several groups of hooks at once (say resid_pre, attn_out and
   * mlp_out by position, and z by head), all from the same single forward + backward call.
   */
  async attributionGroups(
    options: Omit<AttributionOptions, 'hooks' | 'over'> & {
      readonly groups: readonly { readonly hooks: readonly string[]; readonly over: SweepAxis }[];
    },
  ): Promise<AttributionResult[]> {
    const t0 = performance.now();
    const setups = options.groups.map((g) => this.sweepSetup({ ...options, ...g }));
    const { source, target } = setups[0] ?? this.sweepSetup({ ...options, hooks: [] });
    const pos = source.length;
    const vocab = this.config.d_vocab;
    let calls = 0;
    let targetLogits: Tensor;
    if (options.metric.linear) {
      targetLogits = { data: new Float32Array(pos * vocab), dims: [pos, vocab] };
    } else {
      targetLogits = row((await this.forward([target], [], [])).logits, 0);
      calls++;
    }
    const metricGrad = options.metric.gradient(targetLogits);
    const logitGrad = new Float32Array(2 * pos * vocab);
    logitGrad.set(metricGrad.data, pos * vocab); // row 0 (source) contributes nothing
    const { logits, cache, grads } = await this.runWithGradients(
      [source, target],
      { data: logitGrad, dims: [2, pos, vocab] },
      options.groups.flatMap((g) => g.hooks),
    );
    calls++;
    const sourceMetric = options.metric.evaluate(row(logits, 0));
    const targetMetric = options.metric.evaluate(row(logits, 1));
    const clean = options.direction === 'noise' ? targetMetric : sourceMetric;
    const corrupted = options.direction === 'noise' ? sourceMetric : targetMetric;
    const milliseconds = performance.now() - t0;
    return setups.map(({ over, infos, width }) => {
      const deltas = new Float32Array(infos.length * width);
      infos.forEach((info, h) => {
        const act = cache.get(info.name)!;
        deltas.set(attributionAlong(info, over, act, 0, act, 1, grads.get(info.name)!), h * width);
      });
      return {
        hooks: infos.map((i) => i.name),
        over,
        scores: { data: deltas.map((d) => targetMetric + d), dims: [infos.length, width] },
        deltas: { data: deltas, dims: [infos.length, width] },
        clean,
        corrupted,
        calls,
        patchedRuns: 0,
        reusedPrefix: 0,
        milliseconds,
      };
    });
  }

  /**
   * Logit lens: what the model would predict from the residual stream before the first block
   * and after each block, read out through the model's own final LayerNorm and unembedding.
   * Row r of `logits` [n_layers + 1, pos, d_vocab] is the stream after r blocks (the last row is
   * the real output). One cached run plus one batched call, in which row r replaces the last
   * block's resid_post with the stream after r blocks.
   */
  async logitLens(tokens: readonly number[]): Promise<{ labels: string[]; logits: Tensor }> {
    const last = `blocks.${this.config.n_layers - 1}.hook_resid_post`;
    const streams = ['blocks.0.hook_resid_pre', ...this.blockHooks('hook_resid_post')];
    const { cache } = await this.runWithCache(tokens, streams);
    const value = stack(streams.map((h) => row(cache.get(h)!, 0)));
    const { logits } = await this.runWithInterventions(
      streams.map(() => tokens),
      [{ hook: last, kind: 'patch', value }],
    );
    return { labels: ['embed', ...streams.slice(1).map((_, l) => `after block ${l}`)], logits };
  }

  /** Frees the ORT sessions. */
  async release(): Promise<void> {
    await this.forwardSession.release();
    await this.plainSession?.release();
    if (this.gradSession) await (await this.gradSession).release();
  }
}

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
function checkInputs(
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
