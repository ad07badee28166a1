/**
 * Loading a model over HTTP as a page does: progress, integrity checks against manifest.json,
 * and a clear, typed error for each way a model file can be bad.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HookedModel,
  ManifestError,
  ModelFileCorruptError,
  ModelFileMissingError,
  ModelSessionError,
  type LoadProgress,
} from '../../../src/ml';
import { startStaticServer } from '../../../scripts/static-server.mjs';
import { maxAbsDiff } from '../../../src/ml/tensor';
import { fixtureDir } from './support';

let root: string;
let server: { url: string; close(): Promise<void> };
const MODEL = '_lab-random';

/** A copy of the fixture model under a new name, with `change` applied to its folder. */
function variant(name: string, change: (dir: string) => void): void {
  const dir = join(root, name);
  cpSync(fixtureDir(MODEL), dir, { recursive: true });
  change(dir);
}

function editManifest(dir: string, edit: (m: Record<string, unknown>) => void): void {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  edit(manifest);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'residual-ml-'));
  variant(MODEL, () => {});
  variant('flipped-byte', (dir) => {
    const bytes = readFileSync(join(dir, 'model.onnx'));
    bytes[bytes.length - 10]! ^= 0xff;
    writeFileSync(join(dir, 'model.onnx'), bytes);
  });
  variant('not-onnx', (dir) => {
    const junk = Buffer.from('this is not an ONNX file at all');
    writeFileSync(join(dir, 'model.onnx'), junk);
    editManifest(dir, (m) => {
      (m.sha256 as Record<string, string>)['model.onnx'] = createHash('sha256')
        .update(junk)
        .digest('hex');
      (m.bytes as Record<string, number>)['model.onnx'] = junk.length;
    });
  });
  variant('no-forward-file', (dir) => rmSync(join(dir, 'model.onnx')));
  variant('no-weights-file', (dir) => rmSync(join(dir, 'weights.bin')));
  variant('flipped-weights', (dir) => {
    const bytes = readFileSync(join(dir, 'weights.bin'));
    bytes[bytes.length >> 1]! ^= 0xff;
    writeFileSync(join(dir, 'weights.bin'), bytes);
  });
  // A weights file that matches its manifest entry but is too short for the graphs' tensors.
  variant('short-weights', (dir) => {
    const short = readFileSync(join(dir, 'weights.bin')).subarray(0, 4096);
    writeFileSync(join(dir, 'weights.bin'), short);
    editManifest(dir, (m) => {
      (m.sha256 as Record<string, string>)['weights.bin'] = createHash('sha256')
        .update(short)
        .digest('hex');
      (m.bytes as Record<string, number>)['weights.bin'] = short.length;
    });
  });
  // A "plain" graph that still wants intervention inputs (the intervention graph itself).
  variant('plain-with-inputs', (dir) => {
    const forward = readFileSync(join(dir, 'model.onnx'));
    writeFileSync(join(dir, 'model.plain.onnx'), forward);
    editManifest(dir, (m) => {
      (m.sha256 as Record<string, string>)['model.plain.onnx'] = createHash('sha256')
        .update(forward)
        .digest('hex');
      (m.bytes as Record<string, number>)['model.plain.onnx'] = forward.length;
    });
  });
  variant('bad-manifest', (dir) => editManifest(dir, (m) => delete m.config));
  // No keep-alive: a slow test can outlast the server's idle timeout, and a reused socket then
  // fails with ECONNRESET, which is not what these tests are about.
  server = await startStaticServer({ root, headers: { connection: 'close' } });
});
afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

const load = (name: string, onProgress?: (p: LoadProgress) => void) =>
  HookedModel.load(name, {
    baseUrl: server.url,
    backend: 'wasm',
    cacheName: null,
    ...(onProgress && { onProgress }),
  });

describe('loading a model over HTTP', () => {
  it('reports progress through download and session start, then runs', async () => {
    const seen: LoadProgress[] = [];
    const model = await load(MODEL, (p) => seen.push(p));
    expect(model.backend).toBe('wasm');
    expect(seen[0]!.stage).toBe('manifest');
    // Both forward graphs and the weights file they share come down before the sessions start.
    for (const file of ['model.onnx', 'model.plain.onnx', 'weights.bin']) {
      expect(seen.some((p) => p.stage === 'download' && p.file?.file === file)).toBe(true);
    }
    expect(seen.at(-1)).toMatchObject({ stage: 'ready', fraction: 1 });
    const fractions = seen.map((p) => p.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    const { logits } = await model.runWithCache(model.tokenizer.encode('Mary and John'));
    expect(logits.dims).toEqual([1, 4, model.config.d_vocab]);
    await model.release();
  });

  it('fetches the backward graph only when gradients are first needed, and once', async () => {
    const fetched: string[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = (input, init) => {
      fetched.push(String(input instanceof Request ? input.url : input));
      return realFetch(input, init);
    };
    try {
      const gradFetches = () => fetched.filter((url) => url.endsWith('/model.grad.onnx')).length;
      const model = await load(MODEL);
      expect(fetched.some((url) => url.endsWith('/model.onnx'))).toBe(true);
      expect(model.hasGradients).toBe(true);
      expect(gradFetches()).toBe(0);
      await model.prepareGradients();
      expect(gradFetches()).toBe(1);
      await model.prepareGradients();
      expect(gradFetches()).toBe(1);
      await model.release();
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  it('says a model is missing when its manifest is not on the server', async () => {
    await expect(load('no-such-model')).rejects.toThrow(ModelFileMissingError);
    await expect(load('no-such-model')).rejects.toThrow(/manifest.json: HTTP 404/);
  });

  it('says a model file is missing when the manifest names a file the server lacks', async () => {
    const error = await load('no-forward-file').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFileMissingError);
    expect((error as ModelFileMissingError).file).toBe('model.onnx');
  });

  it('refuses a file whose sha256 differs from the manifest', async () => {
    await expect(load('flipped-byte')).rejects.toThrow(ModelFileCorruptError);
    await expect(load('flipped-byte')).rejects.toThrow(
      /model.onnx has sha256 .* the manifest says/,
    );
  });

  it('says the weights are missing when the shared weights file is not on the server', async () => {
    const error = await load('no-weights-file').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFileMissingError);
    expect((error as ModelFileMissingError).file).toBe('weights.bin');
    expect((error as Error).message).toMatch(/weights.bin: HTTP 404/);
  });

  it('refuses a weights file whose sha256 differs from the manifest', async () => {
    const error = await load('flipped-weights').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFileCorruptError);
    expect((error as Error).message).toMatch(/weights.bin has sha256 .* the manifest says/);
  });

  it('says the session could not start when the weights file is too short for the graph', async () => {
    const error = await load('short-weights').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelSessionError);
    expect((error as ModelSessionError).file).toBe('model.onnx');
  });

  it('refuses a plain graph that takes intervention inputs', async () => {
    await expect(load('plain-with-inputs')).rejects.toThrow(ManifestError);
    await expect(load('plain-with-inputs')).rejects.toThrow(
      /plain graph takes inputs besides tokens: patch_mask:hook_embed/,
    );
  });

  it('says so when onnxruntime-web cannot start a session from the file', async () => {
    await expect(load('not-onnx')).rejects.toThrow(ModelSessionError);
  });

  it('refuses a manifest that does not follow the contract', async () => {
    await expect(load('bad-manifest')).rejects.toThrow(ManifestError);
    await expect(load('bad-manifest')).rejects.toThrow(/config/);
  });
});

describe('building a model from bytes in memory', () => {
  const dir = fixtureDir(MODEL);
  const bytes = (file: string) => new Uint8Array(readFileSync(join(dir, file)));
  const json = (file: string): unknown => JSON.parse(readFileSync(join(dir, file), 'utf8'));

  it('says which file it needs when the weights the graphs share are not given', async () => {
    const built = HookedModel.fromBytes({
      manifest: json('manifest.json'),
      tokenizer: json('tokenizer.json'),
      forward: bytes('model.onnx'),
      backend: 'wasm',
    });
    await expect(built).rejects.toThrow(ManifestError);
    await expect(built).rejects.toThrow(/weights.bin: its bytes are needed/);
  });

  it('runs without the plain graph too (every call then goes through model.onnx)', async () => {
    const full = await HookedModel.fromFiles((file) => bytes(file), { backend: 'wasm' });
    const forwardOnly = await HookedModel.fromBytes({
      manifest: json('manifest.json'),
      tokenizer: json('tokenizer.json'),
      forward: bytes('model.onnx'),
      weights: bytes('weights.bin'),
      backend: 'wasm',
    });
    const ids = full.tokenizer.encode('Mary and John went to the store');
    const a = await full.runWithCache(ids, ['blocks.1.hook_resid_post']);
    const b = await forwardOnly.runWithCache(ids, ['blocks.1.hook_resid_post']);
    expect(maxAbsDiff(a.logits, b.logits)).toBeLessThan(1e-5);
    const hook = 'blocks.1.hook_resid_post';
    expect(maxAbsDiff(a.cache.get(hook)!, b.cache.get(hook)!)).toBeLessThan(1e-5);
    await full.release();
    await forwardOnly.release();
  });
});
