/**
 * Experiment card for the induction-heads widget: on a held-out repeated word sequence (the
 * model card's evaluation set, public/models/attn-only-2l/eval-sets.json, cut to a seeded length),
 * the reader says which earlier token the model's induction head attends to from a word of the
 * second copy; the model runs and its attention pattern answers. The principle: an induction head
 * at the current token A looks for the position whose previous token was A — the token that came
 * right after A last time — and copies it.
 */
import type { ExperimentResult, ExperimentRunner } from '../kit/experiment-card';
import { mulberry32 } from '../kit/random';

const MODEL = 'attn-only-2l';
/** Words per copy: a seeded length from this range, at most the evaluation set's 25. */
const MIN_WORDS = 8;
const MAX_WORDS = 25;

/** The candidate positions the reader chooses among, by their role. */
type Role = 'after' | 'same' | 'previous' | 'bos' | 'other';

export interface InductionSetting {
  /** <bos> + words + the same words, as token ids. */
  readonly tokens: readonly number[];
  /** Words per copy. */
  readonly length: number;
  /** The query position (a word of the second copy). */
  readonly query: number;
  /** Candidate key positions by role (all but `other`). */
  readonly positions: Readonly<Record<Exclude<Role, 'other'>, number>>;
  /** The head whose pattern answers, as [layer, head]. */
  readonly head: readonly [number, number];
}

function evalSequences(json: unknown): number[][] {
  const rows = (json as { induction?: unknown } | null)?.induction;
  if (!Array.isArray(rows) || rows.length === 0 || !rows.every(Array.isArray)) {
    throw new Error(`${MODEL}/eval-sets.json has no induction sequences`);
  }
  return rows as number[][];
}

/** The model card's induction head, "1.2" → [1, 2]. */
function cardHead(json: unknown): [number, number] {
  const name = (json as { inductionHead?: unknown } | null)?.inductionHead;
  const match = typeof name === 'string' ? /^(\d+)\.(\d+)$/.exec(name) : null;
  if (!match) throw new Error(`${MODEL}/card.json does not name its induction head`);
  return [Number(match[1]), Number(match[2])];
}

/**
 * Where each role's token sits when the query is word `j` of the second copy of a sequence of
 * `length` words: the earlier occurrence of the current word is at 1 + j, the token after it at
 * 2 + j, the token just before the query at query − 1.
 */
export function rolePositions(length: number, j: number) {
  const query = 1 + length + j;
  return { query, positions: { after: 2 + j, same: 1 + j, previous: query - 1, bos: 0 } };
}

/**
 * A setting from sequence `row` of the evaluation set: its first `length` words twice, and a word
 * `j` of the second copy whose own word, the word after it and the word before it are each unique
 * in the copy (so every choice names one position). Null when the row has no such word.
 */
export function settingOf(
  row: readonly number[],
  length: number,
  pick: (count: number) => number,
  head: readonly [number, number],
): InductionSetting | null {
  const words = row.slice(1, 1 + length);
  const tokens = [row[0]!, ...words, ...words];
  const count = (id: number) => words.filter((w) => w === id).length;
  const usable = words.flatMap((_, j) => {
    const { query, positions } = rolePositions(length, j);
    const ids = [positions.after, positions.same, positions.previous].map((p) => tokens[p]!);
    const distinct = new Set(ids).size === 3 && ids.every((id) => count(id) === 1);
    // The last word has no next word to check the copy against.
    return distinct && query + 1 < tokens.length ? [j] : [];
  });
  if (usable.length === 0) return null;
  const j = usable[pick(usable.length)]!;
  return { tokens, length, head, ...rolePositions(length, j) };
}

const ROLE_ORDER: readonly Role[] = ['same', 'after', 'previous', 'bos', 'other'];

/** Which role a key position plays (or `other`). */
export function roleOf(setting: InductionSetting, key: number): Role {
  const found = (Object.entries(setting.positions) as [Role, number][]).find(([, p]) => p === key);
  return found ? found[0] : 'other';
}

export const inductionTarget: ExperimentRunner<InductionSetting> = {
  id: 'induction-heads/induction-target',
  models: [MODEL],

  async pose(seed, env) {
    const random = mulberry32(seed);
    const pick = (count: number) => Math.floor(random() * count);
    const [rows, head, model] = await Promise.all([
      env.json(MODEL, 'eval-sets.json').then(evalSequences),
      env.json(MODEL, 'card.json').then(cardHead),
      env.model(MODEL),
    ]);
    let found: InductionSetting | null = null;
    for (let tries = 0; !found && tries < 100; tries++) {
      const length = MIN_WORDS + pick(MAX_WORDS - MIN_WORDS + 1);
      found = settingOf(rows[pick(rows.length)]!, length, pick, head);
    }
    if (!found) throw new Error(`${MODEL}/eval-sets.json has no sequence with distinct words`);
    const setting = found;
    const word = (p: number) => `“${model.tokenizer.tokens([setting.tokens[p]!])[0] ?? '?'}”`;
    const { positions, query } = setting;
    const labels: Record<Role, string> = {
      same: `the earlier ${word(positions.same)} (position ${positions.same})`,
      after: `${word(positions.after)} (position ${positions.after})`,
      previous: `${word(positions.previous)} just before it (position ${positions.previous})`,
      bos: '<bos> (position 0)',
      other: 'somewhere else',
    };
    const words = setting.tokens.slice(1, 1 + setting.length);
    return {
      setup: `attn-only-2l reads <bos> and ${setting.length} random words, “${model.tokenizer.tokens(words).join(' ')}”, then the same ${setting.length} words again (positions ${setting.length + 1} to ${2 * setting.length}). Take the second ${word(query)}, at position ${query}.`,
      question: `From the second ${word(query)}, which earlier token does induction head ${head.join('.')} attend to most?`,
      asked: {
        kind: 'choice',
        choices: ROLE_ORDER.map((value) => ({ value, label: labels[value] })),
      },
      data: setting,
    };
  },

  async run(posed, env, onProgress): Promise<ExperimentResult> {
    const setting = posed.data;
    const model = await env.model(MODEL, onProgress);
    const [layer, head] = setting.head;
    const hook = `blocks.${layer}.attn.hook_pattern`;
    const { logits, cache } = await model.runWithCache([setting.tokens], [hook]);
    const pattern = cache.get(hook)!; // [1, heads, q, k]
    const size = setting.tokens.length;
    const row = pattern.data.subarray(
      (head * size + setting.query) * size,
      (head * size + setting.query + 1) * size,
    );
    let key = 0;
    for (let k = 1; k <= setting.query; k++) if (row[k]! > row[key]!) key = k;
    const role = roleOf(setting, key);
    const choice = posed.asked.kind === 'choice' ? posed.asked.choices : [];
    const label = choice.find((c) => c.value === role)?.label ?? role;

    // The model's own next-word guess at the query, to show what the attention is for.
    const vocab = model.config.d_vocab;
    const next = logits.data.subarray(setting.query * vocab, (setting.query + 1) * vocab);
    let best = 0;
    for (let v = 1; v < vocab; v++) if (next[v]! > next[best]!) best = v;
    const word = (id: number) => `“${model.tokenizer.tokens([id])[0] ?? '?'}”`;
    const expected = setting.tokens[setting.query + 1]!;
    return {
      outcome: { kind: 'choice', value: role, label },
      result: `Head ${setting.head.join('.')} puts ${row[key]!.toFixed(2)} of its attention on ${word(setting.tokens[key]!)} at position ${key}; the model's top next word is ${word(best)}${best === expected ? ', the right one' : `, not ${word(expected)}`}.`,
      reason:
        'A previous-token head has written “the word before me was …” into every position, and the induction head’s keys read it (K-composition), so the current word finds the token that followed it last time and copies it.',
    };
  },
};
