/**
 * Runtime schemas for everything that crosses a trust boundary: the deck fetched from the site,
 * rows read back from IndexedDB, and backup files. Text fields have length limits so a hostile
 * file cannot smuggle in megabytes of text.
 */
import { MAX_ANSWER_MS } from './answer-time';
import { lazily, unwrap, z } from './zod';
import { MAX_COUNT, MAX_ID, MAX_TIME } from './limits';

export { MAX_ID };
export const MAX_TEXT = 5000;

/**
 * A link back into the site: a path of slugs and an anchor ("/superposition/#toy-models--x").
 * Each segment must be non-empty, so "//host#x" (a link to another site, relative to the
 * protocol) is refused.
 */
export const SITE_LINK = /^\/(?:[a-z0-9-]+\/)*#[a-z0-9-]+$/;

export const cardIdSchema = lazily(() =>
  z
    .string()
    .min(3)
    .max(MAX_ID)
    .regex(
      /^[a-z0-9]+(?:-[a-z0-9]+)*\/[a-z0-9]+(?:-[a-z0-9]+)*(?:\/[a-z0-9]+(?:-[a-z0-9]+)*)?$/,
      'a card id is "<paper>/<point>" or "<paper>/<point>/<card>"',
    ),
);

const slug = lazily(() =>
  z
    .string()
    .max(MAX_ID)
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a kebab-case slug'),
);

/**
 * HTML elements or script URLs in card text. The site never writes any (cards are plain text,
 * always shown as text), so a file that has some was not made by it. Only real HTML element names
 * count, so card text may still speak of tokens like <bos> or inequalities like m < n.
 */
const MARKUP =
  /<\/?(?:script|style|iframe|frame|object|embed|img|svg|math|link|meta|base|form|input|button|textarea|select|option|a|div|span|p|b|i|u|em|strong|body|html|head|video|audio|source|template|details|dialog|marquee)\b[^>]*>|javascript:/i;

const plainText = lazily(() =>
  z
    .string()
    .min(1)
    .max(MAX_TEXT)
    .refine((text) => !MARKUP.test(text), 'must be plain text (it contains HTML or script)'),
);

const time = lazily(() => z.number().int().min(0).max(MAX_TIME));

/** A reader's own wording of a card: plain text, like the deck's. */
export const personalEditSchema = lazily(() =>
  z
    .object({
      front: unwrap(plainText),
      back: unwrap(plainText),
      editedAt: unwrap(time),
      baseHash: z.string().min(1).max(MAX_ID),
    })
    .strict(),
);
const cardSource = lazily(() => z.enum(['list', 'ours']));
const count = lazily(() => z.number().int().min(0).max(MAX_COUNT));
const finite = lazily(() => z.number().min(0).max(1e6));

export const deckCardSchema = lazily(() =>
  z
    .object({
      id: unwrap(cardIdSchema),
      kind: z.enum(['point', 'illusion', 'glossary', 'experiment']),
      chapter: unwrap(slug),
      paperId: slug.nullable(),
      source: unwrap(cardSource),
      front: unwrap(plainText),
      back: unwrap(plainText),
      href: z
        .string()
        .max(500)
        .regex(SITE_LINK, 'a link must be a path on this site with an anchor'),
      hash: z.string().regex(/^[0-9a-z-]{1,64}$/),
      position: unwrap(count),
      experiment: z
        .string()
        .regex(/^[a-z0-9-]+\/[a-z0-9-]+$/)
        .optional(),
    })
    .strict(),
);

export const deckSchema = lazily(() =>
  z
    .object({
      format: z.literal('residual-deck'),
      version: z.string().min(1).max(64),
      cards: z.array(unwrap(deckCardSchema)).max(200_000),
    })
    .strict(),
);

/**
 * The deck file around its cards, the cards left unchecked: a card page checks them one by one in
 * short slices (storage/deck-file.ts) so that the check never holds the page for long.
 */
export const deckEnvelopeSchema = lazily(() =>
  deckSchema.extend({
    cards: z.array(z.unknown()).max(200_000),
  }),
);

export const scheduleShape = lazily(() => ({
  due: unwrap(time),
  stability: unwrap(finite),
  difficulty: z.number().min(0).max(10),
  elapsedDays: unwrap(count),
  scheduledDays: unwrap(count),
  learningSteps: unwrap(count),
  reps: unwrap(count),
  lapses: unwrap(count),
  state: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]),
  lastReview: time.nullable(),
}));

export const storedCardSchema = lazily(() =>
  deckCardSchema
    .extend({
      // Rows and backups saved before cards carried a source read as ours: until the records were
      // labelled, every card was marked ours. The next deck sync sets the deck's value.
      source: cardSource.default('ours'),
      ...unwrap(scheduleShape),
      queue: z.enum(['new', 'learning', 'review', 'buried', 'suspended', 'retired']),
      suspended: z.boolean(),
      leech: z.boolean(),
      changed: z.boolean(),
      retired: z.boolean(),
      declined: z.boolean().optional(),
      buriedUntil: unwrap(time),
      rev: unwrap(count),
      flagsUpdatedAt: time.optional(),
      flag: z
        .union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4)])
        .optional(),
      edit: personalEditSchema.optional(),
      note: plainText.optional(),
    })
    .strict(),
);

/**
 * Steps that build the stored-card check a part at a time, in the order the parts build on each
 * other (the last also runs the object schemas' first parse, when zod sets up their shapes). Run
 * one per task (storage/slices.ts `eachInItsOwnTask`), they spread over several short tasks what
 * the first check of a page would otherwise do in one long one: about 10 ms in Node here, four
 * times that on a slow phone.
 */
export const STORED_CARD_CHECK_STEPS: readonly (() => unknown)[] = [
  () => cardIdSchema._zod,
  () => slug._zod,
  () => plainText._zod,
  () => [time._zod, count._zod, finite._zod, cardSource._zod],
  () => personalEditSchema._zod,
  () => deckCardSchema._zod,
  () => scheduleShape.due,
  () => storedCardSchema._zod,
  () => storedCardSchema.safeParse({}),
];

/** A device id: random letters and digits made once per browser (src/storage/device.ts). */
export const deviceIdSchema = lazily(() =>
  z
    .string()
    .regex(/^[a-z0-9-]{1,64}$/, 'a device id is up to 64 lowercase letters, digits or dashes'),
);

export const reviewLogSchema = lazily(() =>
  z
    .object({
      id: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
      cardId: unwrap(cardIdSchema),
      grade: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
      review: unwrap(time),
      state: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]),
      due: unwrap(time),
      stability: unwrap(finite),
      difficulty: z.number().min(0).max(10),
      elapsedDays: unwrap(count),
      lastElapsedDays: unwrap(count),
      scheduledDays: unwrap(count),
      learningSteps: unwrap(count),
      deviceId: deviceIdSchema.optional(),
      answerMs: z.number().int().min(0).max(MAX_ANSWER_MS).optional(),
    })
    .strict(),
);

/** The first problem in a zod error, as one readable line: "cards[3].front: must be plain text". */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid data';
  const path = issue.path
    .map((part, i) =>
      typeof part === 'number' ? `[${part}]` : `${i > 0 ? '.' : ''}${String(part)}`,
    )
    .join('');
  return path ? `${path}: ${issue.message}` : issue.message;
}
