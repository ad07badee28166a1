/**
 * How a paper's points, illusions and takeaways are grouped on its chapter page: what the list
 * itself says first, under a heading that says so, then our selection under its own heading, so
 * the reader never takes our picks for the list's.
 */
import type { PointSource } from './paper-schema';

export type GroupKind = 'deepEngage' | 'illusions' | 'takeaways';

export interface SourcedGroup<Item> {
  source: PointSource;
  title: string;
  items: Item[];
}

const TITLES: Record<GroupKind, { list: string; ours: string; oursAfterList: string }> = {
  deepEngage: {
    list: 'The list says: engage deeply with',
    ours: 'Worth engaging with (our selection)',
    oursAfterList: 'Also worth engaging with (our selection)',
  },
  illusions: {
    list: 'Interpretability illusions the list flags',
    ours: 'Interpretability illusions (our selection)',
    oursAfterList: 'Other interpretability illusions (our selection)',
  },
  takeaways: {
    list: 'Key takeaways, as the list puts them',
    ours: 'Key takeaways (our reading)',
    oursAfterList: 'More takeaways (our reading)',
  },
};

/** The list's items, then ours; empty groups are left out. */
export function groupBySource<Item extends { source: PointSource }>(
  items: readonly Item[],
  kind: GroupKind,
): SourcedGroup<Item>[] {
  const list = items.filter((item) => item.source === 'list');
  const ours = items.filter((item) => item.source === 'ours');
  const titles = TITLES[kind];
  const groups: SourcedGroup<Item>[] = [];
  if (list.length > 0) groups.push({ source: 'list', title: titles.list, items: list });
  if (ours.length > 0) {
    groups.push({
      source: 'ours',
      title: list.length > 0 ? titles.oursAfterList : titles.ours,
      items: ours,
    });
  }
  return groups;
}
