// Experiment cards in review, the decisions apart from the DOM: when a card runs its model, offers
// the download or shows its worked example; how a prediction is read; which grade its verdict
// pre-selects; and a fresh seed each showing.
import { describe, expect, it } from 'vitest';
import type { HookedModel } from '../../../src/ml';
import {
  backendRecordingEnv,
  backendsPhrase,
  downloadOffer,
  experimentAvailability,
  failureMessage,
  freshSeed,
  readPrediction,
  suggestedGrade,
} from '../../../src/ui/experiment/experiment-flow';
import type { PlannedFile } from '../../../src/ui/offline/widget-download';
import { judge, type ExperimentEnv } from '../../../src/widgets/experiment-host';
import { hiddenProgress } from '../../../src/widgets/grokking/grokking.experiment';
import { diskExperimentEnv } from '../widgets/experiment-env';

const modelFile = (path: string, bytes: number): PlannedFile => ({
  kind: 'model',
  modelUrl: 'http://127.0.0.1/models/tiny-lm/',
  file: { path, sha256: 'ab', bytes },
  bytes,
});
const runtimeFile = (bytes: number): PlannedFile => ({
  kind: 'runtime',
  url: '/ort/ort-wasm-simd-threaded.wasm',
  bytes,
});
const MODELS = ['tiny-lm'];

describe('whether an experiment card can run now', () => {
  it('runs without asking when every model file is saved, online or offline', () => {
    expect(experimentAvailability({ missing: [] }, true, MODELS)).toEqual({ kind: 'run' });
    expect(experimentAvailability({ missing: [] }, false, MODELS)).toEqual({ kind: 'run' });
  });

  it('runs online when only the runtime is missing (fetched as any widget fetches it)', () => {
    const plan = { missing: [runtimeFile(11_000_000)] };
    expect(experimentAvailability(plan, true, MODELS)).toEqual({ kind: 'run' });
  });

  it('offers the download online, sized by what is missing, when a model file is not saved', () => {
    const plan = { missing: [modelFile('weights.bin', 4_000_000), runtimeFile(11_000_000)] };
    expect(experimentAvailability(plan, true, MODELS)).toEqual({
      kind: 'offer',
      bytes: 15_000_000,
    });
    expect(downloadOffer(MODELS, 15_000_000)).toBe(
      'This card runs tiny-lm in the page (15.0 MB, not downloaded yet).',
    );
  });

  it('falls back to the worked example offline, saying which part is missing', () => {
    const noModel = experimentAvailability(
      { missing: [modelFile('weights.bin', 1)] },
      false,
      MODELS,
    );
    expect(noModel).toMatchObject({ kind: 'unavailable' });
    expect(noModel.kind === 'unavailable' && noModel.reason).toMatch(
      /^You are offline and tiny-lm is not saved in this browser.*worked example/,
    );
    const noRuntime = experimentAvailability({ missing: [runtimeFile(1)] }, false, MODELS);
    expect(noRuntime.kind === 'unavailable' && noRuntime.reason).toMatch(/runtime/);
  });

  it('always runs a runner that needs no model folder, even offline without the runtime', () => {
    const plan = { missing: [runtimeFile(11_000_000)] };
    expect(experimentAvailability(plan, false, [])).toEqual({ kind: 'run' });
  });

  it('names every model a runner needs', () => {
    expect(downloadOffer(['tiny-lm', 'tiny-lm-saes'], 2_000)).toContain('tiny-lm and tiny-lm-saes');
  });

  it('says why a model could not run', () => {
    expect(failureMessage(new Error('no WebGPU or WASM'))).toBe(
      'The model could not run here (no WebGPU or WASM), so this card shows its worked example instead.',
    );
  });
});

describe("reading the reader's prediction", () => {
  const choice = {
    kind: 'choice',
    choices: [
      { value: '2', label: 'Layer 2' },
      { value: '3', label: 'Layer 3' },
    ],
  } as const;
  const number = { kind: 'number', min: 0, max: 10, unit: 'logits' } as const;

  it('takes an offered choice and refuses none or one not offered', () => {
    expect(readPrediction(choice, '3')).toEqual({ value: '3' });
    expect(readPrediction(choice, null)).toEqual({ problem: 'Choose one answer first.' });
    expect(readPrediction(choice, '7')).toEqual({ problem: 'Choose one answer first.' });
  });

  it('takes a number in range (a comma as the decimal point) and refuses anything else', () => {
    expect(readPrediction(number, ' 2,5 ')).toEqual({ value: 2.5 });
    expect(readPrediction(number, '11')).toEqual({ problem: 'Type a number from 0 to 10.' });
    expect(readPrediction(number, 'lots')).toEqual({ problem: 'Type a number from 0 to 10.' });
  });
});

describe('the grade a verdict pre-selects', () => {
  it('is Good when the prediction held and Again when it did not', () => {
    const outcome = { kind: 'choice', value: '3', label: 'Layer 3' } as const;
    expect(suggestedGrade(judge('3', outcome).held)).toBe(3);
    expect(suggestedGrade(judge('2', outcome).held)).toBe(1);
  });
});

describe('the seed of each showing', () => {
  it('comes from the random source, so each showing poses another setting', () => {
    let next = 41;
    const counter = (values: Uint32Array) => values.fill(next++);
    expect([freshSeed(counter), freshSeed(counter)]).toEqual([41, 42]);
    const seeds = new Set(Array.from({ length: 50 }, () => freshSeed()));
    expect(seeds.size).toBeGreaterThan(45);
  });
});

describe('where the card says the model ran', () => {
  /** The disk env, with every model load counted and answered by a stand-in on `backend`. */
  function countingEnv(backend: string) {
    const loads: string[] = [];
    const env: ExperimentEnv = {
      ...diskExperimentEnv(),
      model: async (name) => {
        loads.push(name);
        if (name === 'tiny-lm-saes')
          throw new Error('tiny-lm-saes is a folder of SAEs, not a model');
        return { backend } as HookedModel;
      },
    };
    return { env, loads };
  }

  it('names no backend and loads nothing for a run that loads no model (grokking reads checkpoints)', async () => {
    const { env, loads } = countingEnv('wasm');
    const recording = backendRecordingEnv(env);
    const posed = await hiddenProgress.pose(7, recording.env);
    await hiddenProgress.run(posed, recording.env);
    expect(hiddenProgress.models).toEqual(['modadd']);
    expect(loads).toEqual([]);
    expect(recording.backends()).toEqual([]);
    expect(backendsPhrase(recording.backends())).toBe('');
  });

  it('names the backend of each model the run loaded, once, and only those', async () => {
    const { env, loads } = countingEnv('webgpu');
    const recording = backendRecordingEnv(env);
    await recording.env.model('tiny-lm');
    await recording.env.model('tiny-lm');
    await expect(recording.env.model('tiny-lm-saes')).rejects.toThrow(/not a model/);
    expect(loads).toEqual(['tiny-lm', 'tiny-lm', 'tiny-lm-saes']);
    expect(recording.backends()).toEqual(['webgpu']);
    expect(backendsPhrase(['webgpu', 'wasm'])).toBe(' on WEBGPU, WASM');
  });
});
