/**
 * The onnxruntime-web adapter: the only module that imports onnxruntime-web. It picks a backend
 * (WebGPU when an adapter exists, else WebAssembly), points ORT at the WASM files served from our
 * own origin, and wraps sessions in a small interface of plain tensors.
 *
 * onnxruntime-web is imported lazily, so pages that only use the tokenizer or the pure tensor
 * code do not download it. In a browser each backend loads its own build: 'wasm' the WASM-only
 * one (14 MB of WebAssembly, 3.7 MB gzipped), 'webgpu' the JSEP one (28 MB, 6.7 MB gzipped),
 * which would also run WASM but takes twice as long to download and start (measured in Chromium
 * on the build machine: first session 1.7 s against 3.9 s).
 */
import type * as OrtModule from 'onnxruntime-web';
import { ModelRunError, ModelSessionError } from './errors';
import type { Tensor } from './tensor';

type Ort = typeof OrtModule;

export type Backend = 'webgpu' | 'wasm';

/**
 * The path the site is published under ('/' or '/residual/'): Vite's BASE_URL in the page, '/'
 * in Node and in scripts. (src/content/base.ts says the same for the pages; src/ml imports
 * nothing of ours.)
 */
export const SITE_BASE = (import.meta.env?.BASE_URL ?? '/').replace(/\/?$/, '/');

/** A graph input: token ids (int64) or a float32 tensor. */
export type Feed = Tensor | { readonly int64: BigInt64Array; readonly dims: readonly number[] };

export interface RuntimeOptions {
  /**
   * URL prefix of onnxruntime-web's .wasm/.mjs files (copied into the built site by
   * src/site/ort-assets.mjs). Default `ort/` under the site's base. Ignored in Node, where ORT
   * loads the files from its own package.
   */
  readonly wasmPaths?: string;
  /** WASM threads; ORT uses 1 unless the page is cross-origin isolated. */
  readonly numThreads?: number;
  /**
   * Let 'auto' pick a software (fallback) WebGPU adapter. Off by default; in a browser, also on
   * when localStorage has `residual:software-webgpu` = `allow` (the browser tests set it).
   */
  readonly allowSoftwareWebGpu?: boolean | undefined;
}

/** The localStorage key (value `allow`) that lets 'auto' use a software WebGPU adapter. */
export const SOFTWARE_WEBGPU_KEY = 'residual:software-webgpu';

/** The onnxruntime-web build each backend has loaded (both, in a page that uses both). */
const ortBuilds = new Map<Backend, Promise<Ort>>();
let runtimeOptions: RuntimeOptions = {};

/** Sets runtime options; call before the first model loads. */
export function configureRuntime(options: RuntimeOptions): void {
  runtimeOptions = { ...runtimeOptions, ...options };
}

function inBrowser(): boolean {
  return typeof location !== 'undefined' && typeof location.origin === 'string';
}

/** The onnxruntime-web build for `backend`. In Node, 'onnxruntime-web' is its Node build (WASM). */
function importOrt(backend: Backend): Promise<Ort> {
  return backend === 'wasm' && inBrowser()
    ? import('onnxruntime-web/wasm')
    : import('onnxruntime-web');
}

function loadOrt(backend: Backend): Promise<Ort> {
  let build = ortBuilds.get(backend);
  if (!build) {
    build = importOrt(backend).then((ort) => {
      if (inBrowser()) {
        ort.env.wasm.wasmPaths = new URL(
          runtimeOptions.wasmPaths ?? `${SITE_BASE}ort/`,
          location.href,
        ).href;
        // On WASM, run ORT in a worker so that long sweeps do not freeze the page. (The WebGPU
        // backend cannot run proxied; each build decides at its first session.)
        ort.env.wasm.proxy = backend === 'wasm' && typeof Worker !== 'undefined';
      }
      if (runtimeOptions.numThreads !== undefined)
        ort.env.wasm.numThreads = runtimeOptions.numThreads;
      else if (inBrowser() && globalThis.crossOriginIsolated)
        ort.env.wasm.numThreads = isolatedThreads(globalThis.navigator?.hardwareConcurrency ?? 1);
      ort.env.logLevel = 'error';
      return ort;
    });
    // A failed import (offline before the runtime was cached, say) is tried again next time.
    build.catch(() => ortBuilds.delete(backend));
    ortBuilds.set(backend, build);
  }
  return build;
}

/**
 * WASM threads on a cross-origin isolated page (elsewhere ORT can only use one). ORT's own
 * default is half the logical cores, up to 4, which is 1 on a 2-core machine; there two threads
 * made the patching sweep and in-page SAE training faster (npm run bench:threads, README), so
 * use at least 2 where there are 2 cores.
 */
export function isolatedThreads(hardwareConcurrency: number): number {
  const cores = Math.max(1, Math.floor(hardwareConcurrency) || 1);
  return Math.max(Math.min(4, Math.ceil(cores / 2)), Math.min(2, cores));
}

/** The part of navigator.gpu we need (lib.dom has no WebGPU types). */
interface AdapterLike {
  readonly info?: { readonly isFallbackAdapter?: boolean };
  /** Older Chromium put the flag on the adapter itself. */
  readonly isFallbackAdapter?: boolean;
}

interface GpuLike {
  requestAdapter(): Promise<AdapterLike | null>;
}

/**
 * The WebGPU adapter this context offers: 'hardware', 'software' for a fallback adapter (one that
 * runs on the CPU, such as Chromium's SwiftShader), or null when there is none.
 */
export async function webgpuAdapter(): Promise<'hardware' | 'software' | null> {
  const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu) return null;
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return null;
    return (adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter) ? 'software' : 'hardware';
  } catch {
    return null;
  }
}

/** Whether a WebGPU adapter, hardware or software, can be had in this context. */
export async function webgpuAvailable(): Promise<boolean> {
  return (await webgpuAdapter()) !== null;
}

function softwareWebGpuAllowed(): boolean {
  if (runtimeOptions.allowSoftwareWebGpu !== undefined) return runtimeOptions.allowSoftwareWebGpu;
  try {
    return globalThis.localStorage?.getItem(SOFTWARE_WEBGPU_KEY) === 'allow';
  } catch {
    return false; // storage blocked (private mode, sandboxed frame)
  }
}

/**
 * The backend that `preference` resolves to here. 'webgpu' takes any WebGPU adapter (WASM when
 * there is none). 'auto' takes a hardware adapter only: a software one runs these small graphs
 * far slower than WASM does (bench:sae: 245 tokens/s against 12,000), so 'auto' passes it over
 * unless allowSoftwareWebGpu is set.
 */
export async function chooseBackend(preference: Backend | 'auto' = 'auto'): Promise<Backend> {
  if (preference === 'wasm') return 'wasm';
  const adapter = await webgpuAdapter();
  if (adapter === 'hardware') return 'webgpu';
  if (adapter === 'software' && (preference === 'webgpu' || softwareWebGpuAllowed()))
    return 'webgpu';
  return 'wasm';
}

/**
 * ORT work (session starts and runs) goes through one queue for the whole page: the sessions share
 * one WASM instance, which is not re-entrant — on WebGPU a run awaits its GPU reads, and a run of
 * another session (a model's plain and intervention graphs, say) started meanwhile hangs.
 */
let ortQueue: Promise<unknown> = Promise.resolve();

function enqueue<T>(work: () => Promise<T>): Promise<T> {
  const task = ortQueue.then(work);
  ortQueue = task.catch(() => undefined);
  return task;
}

/** One loaded ONNX graph. Runs are queued (see enqueue). */
export interface GraphSession {
  readonly backend: Backend;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Runs the graph and returns the fetched outputs as plain float32 tensors. */
  run(feeds: ReadonlyMap<string, Feed>, fetches: readonly string[]): Promise<Map<string, Tensor>>;
  release(): Promise<void>;
}

/**
 * ORT tensors of feeds seen before (the shared "no intervention" zeros, sweep sources), per
 * build: a tensor made by one build's Tensor class is not one to the other.
 */
const ortTensors = new WeakMap<Ort, WeakMap<Feed, OrtModule.Tensor>>();

function toOrt(ort: Ort, feed: Feed): OrtModule.Tensor {
  if (ort.env.wasm.proxy) {
    // A proxied run transfers (detaches) input buffers to the worker: give it copies, so that
    // shared feeds stay usable (and no buffer is listed twice in one transfer).
    return 'int64' in feed
      ? new ort.Tensor('int64', feed.int64.slice(), [...feed.dims])
      : new ort.Tensor('float32', feed.data.slice(), [...feed.dims]);
  }
  let seen = ortTensors.get(ort);
  if (!seen) ortTensors.set(ort, (seen = new WeakMap()));
  let value = seen.get(feed);
  if (!value) {
    value =
      'int64' in feed
        ? new ort.Tensor('int64', feed.int64, [...feed.dims])
        : new ort.Tensor('float32', feed.data, [...feed.dims]);
    seen.set(feed, value);
  }
  return value;
}

async function fromOrt(value: OrtModule.Tensor): Promise<Tensor> {
  const data = value.location === 'cpu' ? value.data : await value.getData(true);
  if (!(data instanceof Float32Array)) {
    throw new ModelRunError(`expected a float32 output, got ${value.type}`);
  }
  return { data, dims: [...value.dims] };
}

/** A file that a graph keeps its weights in (ONNX external data), by the name the graph uses. */
export interface ExternalData {
  readonly path: string;
  readonly data: Uint8Array;
}

export interface SessionOptions {
  /** The external data files the graph refers to (e.g. the weights.bin its graphs share). */
  readonly externalData?: readonly ExternalData[];
}

/**
 * Creates a session for `bytes` on `backend`. Throws ModelSessionError when ORT cannot (bad
 * file, missing or short external data, unsupported operator, no GPU device).
 */
export async function createSession(
  bytes: Uint8Array,
  backend: Backend,
  file: string,
  options: SessionOptions = {},
): Promise<GraphSession> {
  const ort = await loadOrt(backend);
  let session: OrtModule.InferenceSession;
  try {
    // (A proxied ORT transfers the bytes to its worker; keep the caller's copy intact. External
    // data is copied into the session's memory, so it can be shared by several sessions.)
    session = await enqueue(() =>
      ort.InferenceSession.create(ort.env.wasm.proxy ? bytes.slice() : bytes, {
        executionProviders: [backend],
        graphOptimizationLevel: 'all',
        // onnxruntime-web leaves both off unless asked: every tensor of every op was then its own
        // malloc and free. With them, attribution's call (493 ops) took 3.3-3.5 ms instead of
        // 3.6-3.9 (bench:ml, alternating runs); WebGPU plans its own memory (mem pattern stays off).
        enableCpuMemArena: true,
        enableMemPattern: backend === 'wasm',
        logSeverityLevel: 3,
        ...(options.externalData && {
          externalData: options.externalData.map(({ path, data }) => ({ path, data })),
        }),
      }),
    );
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new ModelSessionError(`could not start ${file} on ${backend}: ${reason}`, file, {
      cause,
    });
  }
  const outputNames = session.outputNames;
  return {
    backend,
    inputNames: session.inputNames,
    outputNames,
    run(feeds, fetches) {
      return enqueue(async () => {
        const ortFeeds: Record<string, OrtModule.Tensor> = {};
        for (const [name, feed] of feeds) ortFeeds[name] = toOrt(ort, feed);
        let results: OrtModule.InferenceSession.ReturnType;
        try {
          results = await session.run(ortFeeds, [...fetches]);
        } catch (cause) {
          const reason = cause instanceof Error ? cause.message : String(cause);
          throw new ModelRunError(`${file} failed on ${backend}: ${reason}`, file, { cause });
        }
        const out = new Map<string, Tensor>();
        for (const name of fetches) {
          const value = results[name];
          if (!value || !(value instanceof ort.Tensor)) {
            throw new ModelRunError(`${file} gave no output ${name}`, file);
          }
          out.set(name, await fromOrt(value));
          if (value.location !== 'cpu') value.dispose();
        }
        return out;
      });
    },
    release: () => enqueue(() => session.release()),
  };
}
