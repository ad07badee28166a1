/**
 * Finding tiny-lm's IOI circuit with path patching on the hook API, after Wang et al.: a batch of
 * IOI prompts of one template (clean), the same prompts with three unrelated names (the "ABC"
 * corruption), and the logit difference IO − S averaged over the batch.
 *
 * - Total effect of each head: its output z taken from the ABC run, everything downstream
 *   recomputed.
 * - Direct effect (head → logits): the same patch with every later attention and MLP output held
 *   at its clean value, so that only the path straight into the unembedding changes. Heads whose
 *   direct effect lowers the logit difference write the name: the name movers.
 * - Effect through the name movers' queries (head → name-mover queries): run once with the
 *   sender patched and every other head held clean, record the name movers' queries at the last
 *   position, then run clean with only those queries replaced. Heads that matter this way tell
 *   the name movers which name not to copy: the S-inhibition heads.
 *
 * Every experiment is one batched call (two for the query path): one row per head and prompt.
 */
import { row, type HookedModel, type Intervention, type Tensor } from '../../ml';
import { IOI_NAMES, TaskError, type TaskTokenizer } from '../tiny-lm-experiments/tasks';

/** IOI templates with one place and object filled in; {A} {B} the names, {S} the subject. */
export const IOI_TEMPLATES = [
  'When {A} and {B} went to the store, {S} gave a drink to',
  'After {A} and {B} arrived at the park, {S} handed a book to',
  'Friends {A} and {B} found a ball at the beach. {S} gave it to',
] as const;

export interface IoiPrompt {
  readonly clean: readonly number[];
  /** The same sentence with three other names (A, B and S all replaced, all different). */
  readonly corrupted: readonly number[];
  readonly io: number;
  readonly s: number;
  readonly order: 'ABBA' | 'BABA';
  /** Positions of the indirect object, the first and the second subject mention. */
  readonly positions: { readonly io: number; readonly s1: number; readonly s2: number };
  readonly text: string;
}

/**
 * `count` prompts of one template, alternating ABBA and BABA, with name pairs stepping through
 * the name list; each has an ABC corruption built from names it does not use.
 */
export function ioiBatch(tok: TaskTokenizer, template: string, count: number): IoiPrompt[] {
  const names = IOI_NAMES.filter((n) => tok.tokenToId(n) !== tok.unkId);
  if (names.length < 5) throw new TaskError('the tokenizer knows too few names');
  const prompts: IoiPrompt[] = [];
  for (let k = 0; k < count; k++) {
    const a = names[(2 * k) % names.length]!;
    const b = names[(2 * k + 1) % names.length]!;
    const order = k % 2 === 0 ? 'ABBA' : 'BABA';
    const s = order === 'ABBA' ? b : a;
    const io = order === 'ABBA' ? a : b;
    const others = names.filter((n) => n !== a && n !== b);
    const [c, d, e] = [0, 1, 2].map((j) => others[(3 * k + j) % others.length]!);
    const fill = (A: string, B: string, S: string) =>
      template.replace('{A}', A).replace('{B}', B).replace('{S}', S);
    const text = fill(a, b, s);
    const clean = tok.encode(text);
    const corrupted = tok.encode(fill(c!, d!, e!));
    if (clean.includes(tok.unkId) || corrupted.length !== clean.length)
      throw new TaskError(`"${text}" does not fit the tokenizer`);
    const ioId = tok.tokenToId(io);
    const sId = tok.tokenToId(s);
    prompts.push({
      clean,
      corrupted,
      io: ioId,
      s: sId,
      order,
      positions: { io: clean.indexOf(ioId), s1: clean.indexOf(sId), s2: clean.lastIndexOf(sId) },
      text,
    });
  }
  return prompts;
}

/** logit(io) − logit(s) at the last position of batch row `r` of logits [batch, pos, vocab]. */
export function logitDiffAt(logits: Tensor, r: number, io: number, s: number): number {
  const [, pos, vocab] = logits.dims as [number, number, number];
  const offset = (r * pos + pos - 1) * vocab;
  return logits.data[offset + io]! - logits.data[offset + s]!;
}

/** [P, ...] repeated `times` along the batch axis: row k·P + i is row i. */
export function tileBatch(t: Tensor, times: number): Tensor {
  const data = new Float32Array(t.data.length * times);
  for (let k = 0; k < times; k++) data.set(t.data, k * t.data.length);
  return { data, dims: [t.dims[0]! * times, ...t.dims.slice(1)] };
}

/** Rows k·P … k·P + P − 1: the prompts of sender k. */
export function senderRows(k: number, prompts: number): number[] {
  return Array.from({ length: prompts }, (_, i) => k * prompts + i);
}

/** Per-sender mean over prompts of a per-row value (rows ordered sender-major). */
export function meanPerSender(values: readonly number[], prompts: number): number[] {
  const out: number[] = [];
  for (let k = 0; k * prompts < values.length; k++) {
    let sum = 0;
    for (let i = 0; i < prompts; i++) sum += values[k * prompts + i]!;
    out.push(sum / prompts);
  }
  return out;
}

export type HeadRole = 'name mover' | 'negative name mover' | 'S-inhibition' | '';

/**
 * Roles from the effects (changes of the mean logit difference, as a share of the clean one) and
 * where the last position attends: a head that attends to the indirect object more than to the
 * repeated subject and whose direct effect is ≤ −threshold is a name mover (≥ +threshold: a
 * negative name mover); otherwise an effect through the name movers' queries ≤ −threshold makes
 * it an S-inhibition head.
 */
export function headRoles(
  direct: readonly number[],
  viaQueries: readonly number[],
  attention: readonly { io: number; s2: number }[],
  threshold: number,
): HeadRole[] {
  return direct.map((d, k) => {
    const copiesIo = attention[k]!.io > attention[k]!.s2;
    if (copiesIo && d <= -threshold) return 'name mover';
    if (copiesIo && d >= threshold) return 'negative name mover';
    const q = viaQueries[k]!;
    if (Number.isFinite(q) && q <= -threshold) return 'S-inhibition';
    return '';
  });
}

/**
 * The head whose direct effect is largest in size. A name mover's is negative (its output from
 * the ABC run lowers IO − S), so the most positive effect would miss it.
 */
export function strongestDirectHead(direct: readonly number[]): number {
  const sizes = direct.map(Math.abs);
  return sizes.indexOf(Math.max(...sizes));
}

export interface CircuitResult {
  readonly layers: number;
  readonly heads: number;
  readonly prompts: readonly IoiPrompt[];
  /** Mean logit difference of the clean and the ABC prompts. */
  readonly clean: number;
  readonly corrupted: number;
  /** Per head (layer-major), change of the mean logit difference, as a share of `clean`. */
  readonly total: readonly number[];
  readonly direct: readonly number[];
  /** NaN for heads that cannot reach the receivers (not in an earlier layer). */
  readonly viaQueries: readonly number[];
  /** The name movers used as receivers (head indices, layer-major). */
  readonly receivers: readonly number[];
  /** Mean attention from the last position to IO, S1 and S2, per head. */
  readonly attention: readonly { io: number; s1: number; s2: number }[];
  readonly roles: readonly HeadRole[];
  readonly calls: number;
  readonly milliseconds: number;
}

/** Share of the clean logit difference an effect must reach to give a head a role. */
export const ROLE_THRESHOLD = 0.05;
/** At most this many name movers serve as receivers for the S-inhibition search. */
const MAX_RECEIVERS = 3;

/** Runs the three path-patching experiments on a batch of IOI prompts. */
export async function findCircuit(
  model: HookedModel,
  prompts: readonly IoiPrompt[],
): Promise<CircuitResult> {
  const start = performance.now();
  const L = model.config.n_layers;
  const H = model.config.n_heads;
  const P = prompts.length;
  const senders = L * H;
  const R = senders * P;
  const zHooks = model.blockHooks('attn.hook_z');
  const attnHooks = model.blockHooks('hook_attn_out');
  const mlpHooks = model.blockHooks('hook_mlp_out');
  const patternHooks = model.blockHooks('attn.hook_pattern');
  const qHooks = model.blockHooks('attn.hook_q');
  const cleanTokens = prompts.map((p) => p.clean);
  const rows = Array.from({ length: R }, (_, r) => cleanTokens[r % P]!);
  const meanLd = (logits: Tensor, count: number) =>
    Array.from({ length: count }, (_, r) => {
      const p = prompts[r % P]!;
      return logitDiffAt(logits, r, p.io, p.s);
    });
  let calls = 0;

  // Baselines and the activations to patch: clean and ABC runs.
  const cleanRun = await model.runWithCache(cleanTokens, [
    ...zHooks,
    ...attnHooks,
    ...mlpHooks,
    ...patternHooks,
    ...qHooks,
  ]);
  const abcRun = await model.runWithCache(
    prompts.map((p) => p.corrupted),
    zHooks,
  );
  calls += 2;
  const clean = average(meanLd(cleanRun.logits, P));
  const corrupted = average(prompts.map((p, i) => logitDiffAt(abcRun.logits, i, p.io, p.s)));
  const tiled = new Map<string, Tensor>();
  const tile = (cache: ReadonlyMap<string, Tensor>, hook: string, key: string) => {
    let t = tiled.get(key);
    if (!t) tiled.set(key, (t = tileBatch(cache.get(hook)!, senders)));
    return t;
  };
  const senderPatch = (k: number): Intervention => {
    const l = Math.floor(k / H);
    return {
      hook: zHooks[l]!,
      kind: 'patch',
      value: tile(abcRun.cache, zHooks[l]!, `abc:${l}`),
      rows: senderRows(k, P),
      heads: [k % H],
    };
  };
  const share = (values: number[]) => meanPerSender(values, P).map((v) => (v - clean) / clean);

  // Total effect: each head from the ABC run, all else recomputed.
  const totalRun = await model.runWithInterventions(
    rows,
    Array.from({ length: senders }, (_, k) => senderPatch(k)),
  );
  calls++;
  const total = share(meanLd(totalRun.logits, R));

  // Direct effect: later attention and MLP outputs (and this layer's MLP) held clean.
  const frozen: Intervention[] = [];
  for (let k = 0; k < senders; k++) {
    const l = Math.floor(k / H);
    const hold = [...attnHooks.slice(l + 1), ...mlpHooks.slice(l)];
    for (const hook of hold)
      frozen.push({
        hook,
        kind: 'patch',
        value: tile(cleanRun.cache, hook, `clean:${hook}`),
        rows: senderRows(k, P),
      });
  }
  const directRun = await model.runWithInterventions(rows, [
    ...Array.from({ length: senders }, (_, k) => senderPatch(k)),
    ...frozen,
  ]);
  calls++;
  const direct = share(meanLd(directRun.logits, R));

  // Attention from the last position to the names, averaged over prompts.
  const attention = Array.from({ length: senders }, (_, k) => {
    const pattern = cleanRun.cache.get(patternHooks[Math.floor(k / H)]!)!;
    const sum = { io: 0, s1: 0, s2: 0 };
    prompts.forEach((p, i) => {
      const one = row(row(pattern, i), k % H); // [query, key]
      const pos = one.dims[0]!;
      const q = (pos - 1) * pos;
      sum.io += one.data[q + p.positions.io]! / P;
      sum.s1 += one.data[q + p.positions.s1]! / P;
      sum.s2 += one.data[q + p.positions.s2]! / P;
    });
    return sum;
  });

  // Receivers: the strongest name movers (most negative direct effect past the threshold).
  const receivers = direct
    .map((d, k) => ({ d, k }))
    .filter(({ d, k }) => d <= -ROLE_THRESHOLD && attention[k]!.io > attention[k]!.s2)
    .sort((a, b) => a.d - b.d)
    .slice(0, MAX_RECEIVERS)
    .map(({ k }) => k);
  let viaQueries: number[] = Array.from({ length: senders }, () => Number.NaN);
  if (receivers.length > 0) {
    // Step 1: sender patched, every other head held at its clean output; read receivers' q.
    const receiverLayers = [...new Set(receivers.map((k) => Math.floor(k / H)))];
    const holdHeads: Intervention[] = zHooks.map((hook) => ({
      hook,
      kind: 'patch',
      value: tile(cleanRun.cache, hook, `clean:${hook}`),
    }));
    const step1 = await model.runWithInterventions(
      rows,
      [...holdHeads, ...Array.from({ length: senders }, (_, k) => senderPatch(k))],
      receiverLayers.map((l) => qHooks[l]!),
    );
    // Step 2: the clean run with only the receivers' queries at the last position replaced.
    const last = prompts[0]!.clean.length - 1;
    const step2 = await model.runWithInterventions(
      rows,
      receiverLayers.map((l) => ({
        hook: qHooks[l]!,
        kind: 'patch',
        value: step1.cache.get(qHooks[l]!)!,
        positions: [last],
        heads: receivers.filter((k) => Math.floor(k / H) === l).map((k) => k % H),
      })),
    );
    calls += 2;
    const lastReceiverLayer = Math.max(...receiverLayers);
    // Only heads before some receiver can reach its query.
    viaQueries = share(meanLd(step2.logits, R)).map((v, k) =>
      Math.floor(k / H) < lastReceiverLayer ? v : Number.NaN,
    );
  }

  return {
    layers: L,
    heads: H,
    prompts,
    clean,
    corrupted,
    total,
    direct,
    viaQueries,
    receivers,
    attention,
    roles: headRoles(direct, viaQueries, attention, ROLE_THRESHOLD),
    calls,
    milliseconds: performance.now() - start,
  };
}

function average(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
