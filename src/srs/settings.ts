import { lazily, unwrap, z } from './zod';

/** A learning step: a number followed by m, h or d ("1m", "10m", "1h", "1d"). */
const stepSchema = lazily(() =>
  z
    .string()
    .regex(
      /^(?:[1-9]\d{0,4})(?:m|h|d)$/,
      'a step is a whole number followed by m, h or d, e.g. 10m',
    ),
);

/** FSRS-6 has 21 parameters; each is a finite number in a range far wider than the optimizer's clamps. */
export const FSRS_PARAMETER_COUNT = 21;
export const fsrsParametersSchema = lazily(() =>
  z
    .array(z.number().min(-100).max(100))
    .length(FSRS_PARAMETER_COUNT, `FSRS parameters are a list of ${FSRS_PARAMETER_COUNT} numbers`),
);

/**
 * The settings a new reader starts with: each field's default below, and DEFAULT_SETTINGS. Written
 * out rather than parsed from the schema, so that no schema is built when this module is evaluated
 * (see `lazily`).
 */
const DEFAULTS = {
  desiredRetention: 0.9,
  newPerDay: 20,
  maxReviewsPerDay: 200,
  learningSteps: ['1m', '10m'],
  relearningSteps: ['10m'],
  dayStartHour: 4,
  leechThreshold: 8,
  maximumInterval: 36500,
  fsrsParameters: null as number[] | null,
  updatedAt: 0,
  introduceNew: 'read' as 'read' | 'list',
};

/** Review settings, with the defaults a new user gets. */
export const settingsSchema = lazily(() =>
  z
    .object({
      /** The probability of recall FSRS aims for when it picks an interval. */
      desiredRetention: z.number().min(0.7).max(0.99).default(DEFAULTS.desiredRetention),
      /** New cards introduced per day. */
      newPerDay: z.number().int().min(0).max(9999).default(DEFAULTS.newPerDay),
      /** Review cards shown per day at most (learning steps are not counted). */
      maxReviewsPerDay: z.number().int().min(0).max(99999).default(DEFAULTS.maxReviewsPerDay),
      learningSteps: z.array(unwrap(stepSchema)).max(10).default(DEFAULTS.learningSteps),
      relearningSteps: z.array(unwrap(stepSchema)).max(10).default(DEFAULTS.relearningSteps),
      /** Local hour at which a new day starts (Anki's default is 4 am). */
      dayStartHour: z.number().int().min(0).max(23).default(DEFAULTS.dayStartHour),
      /** Lapses after which a card is tagged as a leech and suspended. */
      leechThreshold: z.number().int().min(1).max(99).default(DEFAULTS.leechThreshold),
      maximumInterval: z.number().int().min(1).max(36500).default(DEFAULTS.maximumInterval),
      /**
       * The reader's own FSRS parameters, fitted to their review log on the statistics page; null
       * means FSRS's defaults.
       */
      fsrsParameters: fsrsParametersSchema.nullable().default(DEFAULTS.fsrsParameters),
      /** When these settings were last saved (0: never); a merge keeps the newer of two. */
      updatedAt: z.number().int().min(0).max(8.64e15).default(DEFAULTS.updatedAt),
      /**
       * Where /review/ takes new cards from: only papers the reader marked skimmed or read (cards
       * met in a paper's review area are no longer new), or every card in reading-list order.
       * Either way at most `newPerDay` a day.
       */
      introduceNew: z.enum(['read', 'list']).default(DEFAULTS.introduceNew),
    })
    .strict(),
);

export type Settings = z.output<typeof settingsSchema>;

/** A fresh copy of the defaults (the caller may change it). */
function defaultSettings(): Settings {
  return {
    ...DEFAULTS,
    learningSteps: [...DEFAULTS.learningSteps],
    relearningSteps: [...DEFAULTS.relearningSteps],
  };
}

export const DEFAULT_SETTINGS: Settings = Object.freeze(defaultSettings());

/**
 * Read settings from storage or a form, falling back to the default for any field that is
 * missing or invalid, so one bad value never blocks reviewing.
 */
export function coerceSettings(input: unknown): Settings {
  // Nothing stored (a first visit, or settings never changed): the defaults, without building the
  // schema, the longest task of a first visit to /review/ otherwise (12–30 ms here).
  if (input === undefined || input === null) return defaultSettings();
  const record = typeof input === 'object' ? input : {};
  const result: Record<string, unknown> = {};
  const shape = settingsSchema.shape;
  for (const key of Object.keys(shape) as (keyof Settings)[]) {
    const parsed = shape[key].safeParse((record as Record<string, unknown>)[key]);
    result[key] = parsed.success ? parsed.data : DEFAULT_SETTINGS[key];
  }
  return result as Settings;
}
