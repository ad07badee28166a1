/**
 * saes.json: the index of tiny-lm's shipped sparse autoencoders (public/models/tiny-lm-saes/,
 * written by models/tiny-lm-saes/train.py). Validated here so that a broken file gives a clear
 * message instead of NaNs in the figures.
 */
import { z } from 'zod';

const file = z.object({
  file: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().positive(),
});

const tokensFile = file.extend({
  sequences: z.number().int().positive(),
  length: z.number().int().min(2),
});

const tensorEntry = z.object({
  name: z.string(),
  shape: z.array(z.number().int().positive()).min(1),
  offset: z.number().int().nonnegative(),
});

const metrics = z.object({
  l0: z.number(),
  fvu: z.number(),
  ce_clean: z.number(),
  ce_spliced: z.number(),
  ce_zero: z.number(),
  loss_recovered: z.number(),
  dead: z.number().int().nonnegative(),
  dead_fraction: z.number(),
  exactly_k_fraction: z.number().optional(),
});

const saeEntry = file.extend({
  id: z.string().min(1),
  kind: z.enum(['relu', 'topk', 'gated']),
  label: z.string().min(1),
  d_sae: z.number().int().positive(),
  k: z.number().int().positive().optional(),
  l1: z.number().optional(),
  tensors: z.array(tensorEntry).min(4),
  metrics,
  training: z.record(z.string(), z.unknown()).optional(),
});

const trainingConfig = z.object({
  d_sae: z.number().int().positive(),
  batch: z.number().int().positive(),
  lr: z.number().positive(),
  l1: z.number().nonnegative(),
  steps: z.number().int().positive(),
  seed: z.number().int().optional(),
});

const saeIndexSchema = z
  .object({
    format: z.literal(1),
    model: z.string().min(1),
    hook: z.string().min(1),
    d_in: z.number().int().positive(),
    bos: z.number().int().nonnegative(),
    eval: tokensFile,
    train: tokensFile,
    unembed: file.extend({ shape: z.tuple([z.number().int(), z.number().int()]) }),
    train_step: file.extend({
      recommended: trainingConfig,
      reference: z.object({ fvu: z.number(), l0: z.number() }).partial().optional(),
    }),
    saes: z.array(saeEntry).min(1),
  })
  .superRefine((index, ctx) => {
    for (const sae of index.saes) {
      if (sae.kind === 'topk' && sae.k === undefined) {
        ctx.addIssue({ code: 'custom', message: `${sae.id}: a TopK SAE needs k` });
      }
    }
  });

export type SaeIndex = z.infer<typeof saeIndexSchema>;
export type SaeEntry = SaeIndex['saes'][number];
export type SaeMetrics = z.infer<typeof metrics>;
export type TrainingConfig = z.infer<typeof trainingConfig>;

/** Parses saes.json; throws an Error naming the first bad field. */
export function parseSaeIndex(json: unknown): SaeIndex {
  const result = saeIndexSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(
      `saes.json is not valid: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
  }
  return result.data;
}

/** `{ sequences: number[][] }` of eval-tokens.json / train-tokens.json, each row `length` long. */
export function parseTokenRows(json: unknown, length: number, vocab: number): number[][] {
  const rows = (json as { sequences?: unknown } | null)?.sequences;
  if (!Array.isArray(rows) || rows.length === 0) throw new Error('token file has no sequences');
  for (const row of rows) {
    if (
      !Array.isArray(row) ||
      row.length !== length ||
      !row.every((t) => Number.isInteger(t) && t >= 0 && t < vocab)
    ) {
      throw new Error(`token file has a row that is not ${length} token ids below ${vocab}`);
    }
  }
  return rows as number[][];
}
