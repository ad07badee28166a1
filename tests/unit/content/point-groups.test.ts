import { describe, expect, it } from 'vitest';
import { groupBySource } from '../../../src/content/point-groups';

const item = (id: string, source: 'list' | 'ours') => ({ id, source });

describe('grouping a paper’s points by where they come from', () => {
  it('puts the list’s points first under the list’s instruction, then ours under their own heading', () => {
    const groups = groupBySource(
      [item('a', 'ours'), item('b', 'list'), item('c', 'ours'), item('d', 'list')],
      'deepEngage',
    );
    expect(groups.map((group) => [group.title, group.items.map((point) => point.id)])).toEqual([
      ['The list says: engage deeply with', ['b', 'd']],
      ['Also worth engaging with (our selection)', ['a', 'c']],
    ]);
  });

  it('never titles our selection as the list’s when the list names none', () => {
    expect(groupBySource([item('a', 'ours')], 'illusions').map((group) => group.title)).toEqual([
      'Interpretability illusions (our selection)',
    ]);
    expect(groupBySource([item('a', 'list')], 'takeaways').map((group) => group.source)).toEqual([
      'list',
    ]);
    expect(groupBySource([], 'deepEngage')).toEqual([]);
  });
});
