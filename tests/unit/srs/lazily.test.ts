import { describe, expect, test } from 'vitest';
import { lazily, unwrap, z } from '../../../src/srs/zod';
import { settingsSchema } from '../../../src/srs/settings';
import {
  STORED_CARD_CHECK_STEPS,
  deckCardSchema,
  deckSchema,
  personalEditSchema,
  reviewLogSchema,
  storedCardSchema,
} from '../../../src/srs/schemas';

describe('a schema built on first use', () => {
  test('is not built until something reads it, and then only once', () => {
    let builds = 0;
    const schema = lazily(() => {
      builds += 1;
      return z.object({ n: z.number().int() }).strict();
    });
    expect(builds).toBe(0);
    expect(schema.safeParse({ n: 1 }).success).toBe(true);
    expect(schema.safeParse({ n: 1.5 }).success).toBe(false);
    expect(builds).toBe(1);
  });

  test('works inside other schemas, through its methods and as a spread shape', () => {
    const count = lazily(() => z.number().int().min(0));
    const shape = lazily(() => ({ reps: count, lapses: count.optional() }));
    const card = lazily(() => z.object({ id: z.string(), ...shape }).strict());
    const extended = lazily(() => card.extend({ note: z.string().optional() }));
    expect(card.parse({ id: 'a', reps: 2 })).toEqual({ id: 'a', reps: 2 });
    expect(card.safeParse({ id: 'a', reps: -1 }).success).toBe(false);
    expect(extended.parse({ id: 'a', reps: 0, note: 'x' })).toEqual({
      id: 'a',
      reps: 0,
      note: 'x',
    });
    expect(z.array(card).safeParse([{ id: 'b', reps: 1, lapses: 0 }]).success).toBe(true);
    expect(Object.keys(card.shape)).toEqual(['id', 'reps', 'lapses']);
    expect(card).toBeInstanceOf(z.ZodObject);
  });

  test('unwraps to the schema it built, the same one every time; anything else unwraps to itself', () => {
    let builds = 0;
    const count = lazily(() => {
      builds += 1;
      return z.number().int().min(0);
    });
    const real = unwrap(count);
    expect(builds).toBe(1);
    expect(unwrap(count)).toBe(real);
    expect(real).toBeInstanceOf(z.ZodNumber);
    expect(real.safeParse(2).success).toBe(true);
    expect(real.safeParse(-1).success).toBe(false);
    const plain = z.string();
    expect(unwrap(plain)).toBe(plain);
  });

  test("the site's schemas hold their parts directly, not through proxies (every field of every row would go through its traps)", () => {
    const isProxied = (schema: object) => unwrap(schema) !== schema;
    const schemas = {
      deckCardSchema,
      storedCardSchema,
      reviewLogSchema,
      personalEditSchema,
      settingsSchema,
    };
    for (const [name, schema] of Object.entries(schemas)) {
      for (const [field, part] of Object.entries(unwrap(schema).shape)) {
        expect(isProxied(part as object), `${name}.${field}`).toBe(false);
      }
    }
    const cards = unwrap(deckSchema).shape.cards;
    expect(isProxied(cards.element as object)).toBe(false);
    const steps = unwrap(settingsSchema).shape.learningSteps.unwrap();
    expect(isProxied(steps.element as object)).toBe(false);
  });

  test('the stored-card check built step by step checks a row as it did', () => {
    for (const step of STORED_CARD_CHECK_STEPS) step();
    expect(storedCardSchema.safeParse({}).success).toBe(false);
  });

  test('cannot be changed through the proxy', () => {
    const schema = lazily(() => z.string()) as unknown as Record<string, unknown>;
    expect(() => {
      'use strict';
      schema['parse'] = () => 'changed';
    }).toThrow(TypeError);
  });
});
