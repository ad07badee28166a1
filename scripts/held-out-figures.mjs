// Writes how typical the widgets' headline numbers are, over fixed held-out prompts, next to the
// models they describe (src/widgets/tiny-lm-experiments/held-out-figures.ts has the definitions):
//
//   public/models/tiny-lm/held-out-figures.json       attribution patching's r over held-out IOI
//                                                     pairs, fact recall on trained and new
//                                                     phrasings, induction on words and numbers
//   public/models/attn-only-2l/held-out-figures.json  induction on words and numbers
//
// and quotes them in each model card, between the held-out markers of models/<name>/MODEL_CARD.md.
//
//   npm run models:figures
//
// tests/unit/widgets/held-out-figures.test.ts recomputes every figure and compares it with these
// files, so rerun this after retraining a model. The models run on onnxruntime-web (WASM, one
// thread) in Node, as in the widgets.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importTs } from './import-ts.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The TypeScript modules, bundled (onnxruntime-web and zod stay external) and imported. */
async function importModules() {
  return importTs(
    'figures',
    "export * from './src/ml/index.ts';\n" +
      "export * from './src/widgets/tiny-lm-experiments/held-out-compute.ts';\n" +
      "export * from './src/widgets/induction-heads/held-out.ts';\n" +
      "export * from './src/widgets/tiny-lm-experiments/held-out-card.ts';\n" +
      "export { parseEvalSets, presetPairs } from './src/widgets/tiny-lm-experiments/tasks.ts';\n",
  );
}

const m = await importModules();
m.configureRuntime({ numThreads: 1 });

const folder = (name) => join(ROOT, 'public/models', name);
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const load = (name) =>
  m.HookedModel.fromFiles((p) => new Uint8Array(readFileSync(join(folder(name), p))), {
    backend: 'wasm',
  });
/** The figures next to the model, and their section in the model card (models/<name>/MODEL_CARD.md). */
const write = (name, figures, section) => {
  const path = join(folder(name), 'held-out-figures.json');
  writeFileSync(path, `${JSON.stringify(figures, null, 2)}\n`);
  const cardPath = join(ROOT, 'models', name, 'MODEL_CARD.md');
  writeFileSync(cardPath, m.withCardSection(readFileSync(cardPath, 'utf8'), section));
  console.log(`wrote ${path} and its section of ${cardPath}`);
};

const started = performance.now();
const tiny = await load('tiny-lm');
const rawSets = readJson(join(folder('tiny-lm'), 'eval-sets.json'));
const sets = m.parseEvalSets(rawSets);
if (!sets) throw new Error('public/models/tiny-lm/eval-sets.json is not the expected shape');
const defaultPair = m.presetPairs(tiny.tokenizer, sets, ['ioi'])[0];
const tinyFigures = await m.tinyLmFigures(
  tiny,
  sets,
  defaultPair,
  await m.inductionFigures(tiny, rawSets.induction, (rawSets.induction[0].length - 1) / 2),
);
await tiny.release();
write('tiny-lm', tinyFigures, m.tinyLmCardSection(tinyFigures));

const attn = await load('attn-only-2l');
const attnSets = readJson(join(folder('attn-only-2l'), 'eval-sets.json'));
const attnFigures = await m.attnOnlyFigures(attn, attnSets.induction);
await attn.release();
write('attn-only-2l', attnFigures, m.attnOnlyCardSection(attnFigures));

const { attribution, facts } = tinyFigures;
console.log(
  `attribution r: default ${attribution.default.r}; ${attribution.spread.count} held-out IOI pairs: ` +
    `median ${attribution.spread.median}, p10 ${attribution.spread.p10}, min ${attribution.spread.min}; ` +
    `${Math.round(attribution.defaultShareBelow * 100)}% of them below the default`,
);
console.log(
  `fact recall top-1: trained phrasings ${facts.trainedPhrasings.top1}, new phrasings ${facts.newPhrasings.top1}`,
);
for (const [name, f] of [
  ['tiny-lm', tinyFigures.induction],
  ['attn-only-2l', attnFigures.induction],
])
  console.log(
    `${name} induction, second-copy loss / top-1 copying: words ${f.words.secondCopyLoss} / ${f.words.secondCopyAccuracy}, ` +
      `numbers ${f.numbers.secondCopyLoss} / ${f.numbers.secondCopyAccuracy} (first copy ${f.words.firstCopyLoss}, ${f.numbers.firstCopyLoss})`,
  );
console.log(`${((performance.now() - started) / 1000).toFixed(1)} s`);
process.exit(0);
