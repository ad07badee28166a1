/**
 * ComputeGraph: an ONNX graph that is not a hooked model — a training step, say — run through
 * onnxruntime-web on WebGPU when an adapter can run it, else WASM. Tensors in, tensors out, by
 * graph input and output names; the file is fetched, checked and cached like model files.
 */
import { ModelRunError } from './errors';
import { fetchModelFile, type FileFetchOptions } from './files';
import { startSession } from './sessions';
import type { ModelFile } from './manifest';
import type { Backend, GraphSession } from './runtime';
import type { Tensor } from './tensor';

export interface ComputeGraphOptions extends FileFetchOptions {
  /** 'auto' (default): WebGPU when an adapter exists, else WASM. */
  readonly backend?: Backend | 'auto';
}

export class ComputeGraph {
  /** The backend in use. */
  readonly backend: Backend;
  /** Why WebGPU was not used although an adapter exists (it could not run this graph). */
  readonly fallbackReason: string | null;
  private readonly session: GraphSession;
  private readonly file: string;

  private constructor(session: GraphSession, fallbackReason: string | null, file: string) {
    this.session = session;
    this.backend = session.backend;
    this.fallbackReason = fallbackReason;
    this.file = file;
  }

  /** Fetches `file` (relative to `baseUrl`), checks its sha256 and size, and starts a session. */
  static async load(
    baseUrl: string,
    file: ModelFile,
    options: ComputeGraphOptions = {},
  ): Promise<ComputeGraph> {
    const { backend, ...fetchOptions } = options;
    const bytes = await fetchModelFile(baseUrl, file, fetchOptions);
    return ComputeGraph.fromBytes(bytes, file.path, backend);
  }

  /** Starts a session on bytes already in memory (Node tests, benchmarks). */
  static async fromBytes(
    bytes: Uint8Array,
    file: string,
    backend: Backend | 'auto' = 'auto',
  ): Promise<ComputeGraph> {
    const { session, fallbackReason } = await startSession(bytes, file, backend);
    return new ComputeGraph(session, fallbackReason, file);
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /**
   * Runs the graph. Every graph input must be fed; `fetches` defaults to every output. Throws
   * ModelRunError naming the missing input, or ORT's reason.
   */
  async run(
    feeds: Readonly<Record<string, Tensor>>,
    fetches: readonly string[] = this.session.outputNames,
  ): Promise<Map<string, Tensor>> {
    const missing = this.session.inputNames.filter((name) => !(name in feeds));
    if (missing.length > 0) {
      throw new ModelRunError(`${this.file} needs input(s) ${missing.join(', ')}`, this.file);
    }
    return this.session.run(new Map(Object.entries(feeds)), fetches);
  }

  /** Frees the session. */
  release(): Promise<void> {
    return this.session.release();
  }
}
