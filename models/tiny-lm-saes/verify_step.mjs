// Runs public/models/tiny-lm-saes/sae-train-step.onnx with onnxruntime-web (WASM, as in the
// browser) on the PyTorch fixture and prints the largest |onnx - torch| per output.
//
//   cd /work/main && npx node models/tiny-lm-saes/verify_step.mjs [--chain-onnx]
//
// By default every step is fed the fixture's state (PyTorch outputs of the previous step); with
// --chain-onnx the graph's own outputs are fed forward instead. Exits 1 above the tolerance.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

const chainOnnx = process.argv.includes('--chain-onnx');
const fx = JSON.parse(readFileSync('tests/fixtures/models/tiny-lm-saes/train-step.json', 'utf8'));
const bytes = readFileSync('public/models/tiny-lm-saes/sae-train-step.onnx');
const session = await ort.InferenceSession.create(bytes);

const tensor = (name, values) =>
  new ort.Tensor('float32', Float32Array.from(values), fx.shapes[name]);
const stateNames = fx.inputs.slice(1, 13);
let state = Object.fromEntries(stateNames.map((n) => [n, fx.initial[n]]));
let worst = 0;
for (const step of fx.steps) {
  const feeds = { x: tensor('x', step.x) };
  for (const n of stateNames) feeds[n] = tensor(n, state[n]);
  feeds.lr = tensor('lr', [fx.lr]);
  feeds.l1 = tensor('l1', [fx.l1]);
  feeds.step = tensor('step', [step.step]);
  const out = await session.run(feeds);
  const line = [];
  for (const name of fx.outputs) {
    const want = step.outputs[name];
    const got = out[name].data;
    let err = 0;
    for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got[i] - want[i]));
    worst = Math.max(worst, err);
    line.push(`${name} ${err.toExponential(1)}`);
  }
  console.log(`step ${step.step}: ${line.join(', ')}`);
  state = Object.fromEntries(
    stateNames.map((n) => [
      n,
      chainOnnx ? Array.from(out[`next.${n}`].data) : step.outputs[`next.${n}`],
    ]),
  );
}
console.log(`max |onnx - torch| = ${worst.toExponential(2)} (tolerance ${fx.tolerance})`);
process.exit(worst <= fx.tolerance ? 0 : 1);
