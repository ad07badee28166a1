import { z } from 'astro/zod';
import { PRIORITIES, TECHNIQUES, WIDGETS, keysOf } from './vocabulary';

const kebabId = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case (lower-case words joined by hyphens)');

const nonEmptyText = z.string().trim().min(1, 'must not be empty');

export const cardSchema = z.object({
  front: nonEmptyText,
  back: nonEmptyText,
});

/**
 * Where a point comes from: `list` when the reading list itself tells the reader to engage deeply
 * with it, calls it central, or flags it as an illusion; `ours` when it is our selection.
 */
export const SOURCES = ['list', 'ours'] as const;
export type PointSource = (typeof SOURCES)[number];
const sourceSchema = z.enum(SOURCES);

/** A further card on the same point (a split list or multi-step answer): deck id `<paper>/<point>/<id>`. */
export const extraCardSchema = cardSchema.extend({ id: kebabId });

/**
 * A point the reader should engage with deeply, or an illusion: text plus the cards that test it.
 * `card` keeps the deck id `<paper>/<point>`; `moreCards` hold the other parts of a split card.
 */
export const pointSchema = z.object({
  id: kebabId,
  source: sourceSchema,
  text: nonEmptyText,
  card: cardSchema,
  moreCards: z.array(extraCardSchema).default([]),
});

/**
 * An experiment card: a prediction about one of the paper's widgets that review poses on a fresh
 * held-out prompt and answers by running the model (src/widgets/experiment-cards.ts). `card` is
 * the static worked example, shown where the model cannot run; deck id `<paper>/run/<id>`.
 * Experiment cards are always ours.
 */
export const experimentSchema = z.object({
  id: kebabId,
  /** `<widget-id>/<name>`: the runner's id, whose widget must be one of the paper's widgets. */
  runner: z.string().regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, 'must be <widget-id>/<name>'),
  card: cardSchema,
});

/** A key takeaway and where it comes from. */
export const takeawaySchema = z.object({
  source: sourceSchema,
  text: nonEmptyText,
});

function uniquePointIds(points: { id: string }[], ctx: z.RefinementCtx, field: string): void {
  const seen = new Set<string>();
  for (const [index, point] of points.entries()) {
    if (seen.has(point.id)) {
      ctx.addIssue({
        code: 'custom',
        path: [field, index, 'id'],
        message: `duplicate point id "${point.id}"`,
      });
    }
    seen.add(point.id);
  }
}

/** One item of the reading list, as written in content/papers/<id>.yaml. */
export const paperSchema = z
  .object({
    id: kebabId,
    chapter: z.string(),
    kind: z.enum(['paper', 'companion']),
    attachedTo: kebabId.nullable().default(null),
    title: nonEmptyText,
    authors: nonEmptyText.nullable(),
    org: nonEmptyText.nullable(),
    year: z.number().int().min(1900).max(2100).nullable(),
    url: z.url().nullable(),
    priority: z.enum(PRIORITIES),
    summary: nonEmptyText,
    takeaways: z.array(takeawaySchema).default([]),
    deepEngage: z.array(pointSchema).default([]),
    skim: z.array(nonEmptyText).default([]),
    caveats: z.array(nonEmptyText).default([]),
    illusions: z.array(pointSchema).default([]),
    techniques: z.array(z.enum(keysOf(TECHNIQUES))).default([]),
    widgets: z.array(z.enum(keysOf(WIDGETS))).default([]),
    experiments: z.array(experimentSchema).default([]),
  })
  .superRefine((paper, ctx) => {
    if (paper.kind === 'companion' && paper.attachedTo === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['attachedTo'],
        message: 'a companion must name the paper it belongs to',
      });
    }
    if (paper.kind === 'paper' && paper.attachedTo !== null) {
      ctx.addIssue({
        code: 'custom',
        path: ['attachedTo'],
        message: 'only companions are attached to another paper',
      });
    }
    if (paper.kind === 'paper' && paper.deepEngage.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['deepEngage'],
        message: 'a paper needs at least one point to engage with deeply',
      });
    }
    uniquePointIds([...paper.deepEngage, ...paper.illusions], ctx, 'deepEngage');
    uniquePointIds(paper.experiments, ctx, 'experiments');
    for (const [index, experiment] of paper.experiments.entries()) {
      const widget = experiment.runner.split('/')[0] ?? '';
      if (!(paper.widgets as readonly string[]).includes(widget)) {
        ctx.addIssue({
          code: 'custom',
          path: ['experiments', index, 'runner'],
          message: `runner "${experiment.runner}" belongs to widget "${widget}", which the paper does not list`,
        });
      }
    }
  });

export type PaperRecord = z.infer<typeof paperSchema>;
export type PaperPoint = z.infer<typeof pointSchema>;
export type PaperTakeaway = z.infer<typeof takeawaySchema>;
export type PaperExperiment = z.infer<typeof experimentSchema>;

/** One glossary entry, from content/glossary.yaml. */
export const glossaryTermSchema = z.object({
  id: kebabId,
  term: nonEmptyText,
  definition: nonEmptyText,
  papers: z.array(kebabId).default([]),
  card: cardSchema,
  /** Further cards on the term (deck id `glossary/<term>/<id>`); glossary cards are always ours. */
  moreCards: z.array(extraCardSchema).default([]),
});

export type GlossaryTerm = z.infer<typeof glossaryTermSchema>;
