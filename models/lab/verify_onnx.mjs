// Checks exported ONNX files against the PyTorch golden fixtures, with onnxruntime-web (WASM) in
// Node — the same runtime the browser uses.
//
//   node models/lab/verify_onnx.mjs public/models/<name> tests/fixtures/models/<name> [--json]
//
// Prints the max absolute error per case and exits 1 when any exceeds the fixture tolerance.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const asJson = process.argv.includes('--json');
if (args.length === 1 || args.length > 2) {
  console.error('usage: node models/lab/verify_onnx.mjs [MODEL_DIR FIXTURE_DIR] [--json]');
  process.exit(2);
}
// No arguments: every public/models/<name>/ that has fixtures in tests/fixtures/models/<name>/.
const pairs =
  args.length === 2
    ? [args]
    : readdirSync('public/models', { withFileTypes: true })
        .filter(
          (d) =>
            d.isDirectory() && existsSync(join('tests/fixtures/models', d.name, 'fixtures.json')),
        )
        .map((d) => [join('public/models', d.name), join('tests/fixtures/models', d.name)]);
if (pairs.length === 0) {
  console.error('no exported models with fixtures found (run from the repository root)');
  process.exit(2);
}

let failed = false;
for (const [modelDir, fixtureDir] of pairs) {
  const report = await verify(modelDir, fixtureDir);
  failed ||= !report.ok;
  if (asJson) console.log(JSON.stringify(report));
  else {
    for (const [id, r] of Object.entries(report.cases)) {
      const err = r.maxAbsError.toExponential(2);
      console.log(`${report.name} ${id}: max |onnx - torch| = ${err} (${r.at})`);
    }
    console.log(report.ok ? `ok (tolerance ${report.tolerance})` : 'FAIL');
  }
}
process.exit(failed ? 1 : 0);

/** Runs one exported model on its fixtures; returns the max abs error per case. */
async function verify(modelDir, fixtureDir) {
  const manifest = JSON.parse(readFileSync(join(modelDir, 'manifest.json'), 'utf8'));
  const fixtures = JSON.parse(readFileSync(join(fixtureDir, 'fixtures.json'), 'utf8'));
  const blob = readFileSync(join(fixtureDir, fixtures.binary));

  /** A float32 array stored in fixtures.bin. */
  function array(ref) {
    const n = ref.shape.reduce((a, b) => a * b, 1);
    const copy = new Float32Array(n);
    const view = new DataView(blob.buffer, blob.byteOffset + ref.offset, n * 4);
    for (let i = 0; i < n; i++) copy[i] = view.getFloat32(i * 4, true);
    return copy;
  }

  function tensor(ref) {
    return new ort.Tensor('float32', array(ref), ref.shape);
  }

  function tokensTensor(rows) {
    const flat = BigInt64Array.from(rows.flat().map((t) => BigInt(t)));
    return new ort.Tensor('int64', flat, [rows.length, rows[0].length]);
  }

  function maxAbsDiff(actual, ref) {
    const expected = array(ref);
    if (actual.data.length !== expected.length) throw new Error('size mismatch');
    if (actual.dims.join() !== ref.shape.join()) {
      throw new Error(`shape ${actual.dims} != ${ref.shape}`);
    }
    let worst = 0;
    for (let i = 0; i < expected.length; i++) {
      const d = Math.abs(actual.data[i] - expected[i]);
      if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
    }
    return worst;
  }

  const hookRank = new Map(manifest.hooks.map((h) => [h.name, h.shape.length]));

  function forwardFeeds(rows, interventions = {}) {
    const feeds = { tokens: tokensTensor(rows) };
    for (const hook of manifest.interventionHooks) {
      const rank = hookRank.get(hook);
      const zero = new ort.Tensor('float32', new Float32Array(1), new Array(rank).fill(1));
      for (const kind of ['patch_mask', 'patch_value', 'add']) {
        const ref = interventions[hook]?.[kind];
        feeds[`${kind}:${hook}`] = ref ? tensor(ref) : zero;
      }
    }
    return feeds;
  }

  // Graphs may keep their weights in one shared external data file (manifest.files.weights).
  const weights = manifest.files.weights
    ? [{ path: manifest.files.weights, data: readFileSync(join(modelDir, manifest.files.weights)) }]
    : undefined;
  const session = (file) =>
    ort.InferenceSession.create(readFileSync(join(modelDir, file)), { externalData: weights });

  /** Max abs error of a forward run's logits and hooks against a fixture case. */
  function compare(out, c) {
    let worst = maxAbsDiff(out.logits, c.logits);
    let worstName = 'logits';
    for (const [name, ref] of Object.entries(c.hooks)) {
      const d = maxAbsDiff(out[name], ref);
      if (d > worst) [worst, worstName] = [d, name];
    }
    return { maxAbsError: worst, at: worstName };
  }

  const report = { name: manifest.name, tolerance: fixtures.tolerance, cases: {} };
  const forward = await session(manifest.files.forward);
  for (const c of fixtures.cases.filter((c) => c.id !== 'grad')) {
    const out = await forward.run(forwardFeeds(c.tokens, c.interventions));
    report.cases[`forward/${c.id}`] = compare(out, c);
  }
  // The plain graph (no intervention inputs) on the cases without interventions.
  if (manifest.files.plain) {
    const plain = await session(manifest.files.plain);
    for (const c of fixtures.cases.filter((c) => c.id !== 'grad' && !c.interventions)) {
      const out = await plain.run({ tokens: tokensTensor(c.tokens) });
      report.cases[`plain/${c.id}`] = compare(out, c);
    }
  }

  const gradCase = fixtures.cases.find((c) => c.id === 'grad');
  if (manifest.files.backward && gradCase) {
    const backward = await session(manifest.files.backward);
    const out = await backward.run({
      tokens: tokensTensor(gradCase.tokens),
      logit_grad: tensor(gradCase.logit_grad),
    });
    let worst = maxAbsDiff(out.logits, gradCase.logits);
    let worstName = 'logits';
    let largest = 0;
    for (const [name, ref] of Object.entries(gradCase.grads)) {
      const d = maxAbsDiff(out[`grad:${name}`], ref);
      for (const v of array(ref)) largest = Math.max(largest, Math.abs(v));
      if (d > worst) [worst, worstName] = [d, `grad:${name}`];
    }
    report.cases['backward/grad'] = { maxAbsError: worst, at: worstName, maxAbsGrad: largest };
  }

  report.ok = !Object.values(report.cases).some((r) => !(r.maxAbsError <= fixtures.tolerance));
  return report;
}
