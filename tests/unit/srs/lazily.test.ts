import { describe, expect, test } from 'vitest';
import { lazily, z } from '../../../src/srs/zod';

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

  test('cannot be changed through the proxy', () => {
    const schema = lazily(() => z.string()) as unknown as Record<string, unknown>;
    expect(() => {
      'use strict';
      schema['parse'] = () => 'changed';
    }).toThrow(TypeError);
  });
});
