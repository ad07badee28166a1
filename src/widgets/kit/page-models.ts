/**
 * The models of one page: each loaded once and shared by whatever asks for it (two widgets of a
 * chapter, or a widget and an experiment card in the chapter's review area, need one session, not
 * two). A failed load is forgotten, so that asking again is the retry.
 */
import { HookedModel, type LoadProgress } from '../../ml';
import type { WidgetContext } from './types';

interface PageModel {
  loading: Promise<HookedModel> | null;
  /** Everyone waiting on the load hears its progress, also those who joined it late. */
  readonly listeners: Set<(progress: LoadProgress) => void>;
}

const models = new Map<string, PageModel>();

/** The page's model `name` (a folder of public/models/), loading it on first call. */
export async function pageModel(
  name: string,
  onProgress?: (progress: LoadProgress) => void,
): Promise<HookedModel> {
  let entry = models.get(name);
  if (!entry) {
    entry = { loading: null, listeners: new Set() };
    models.set(name, entry);
  }
  const { listeners } = entry;
  if (onProgress) listeners.add(onProgress);
  try {
    entry.loading ??= HookedModel.load(name, {
      onProgress: (progress) => listeners.forEach((listener) => listener(progress)),
    });
    const pending = entry.loading;
    const current = entry;
    pending.catch(() => {
      if (current.loading === pending) current.loading = null;
    });
    return await pending;
  } finally {
    if (onProgress) listeners.delete(onProgress);
  }
}

/**
 * The page's model `name` for one widget: its download and start show in the widget's progress
 * bar ("Downloading attn-only-2l"), and the backend it runs on in the widget's frame. The model is
 * the page's, shared: a widget must not release it when it is torn down.
 */
export async function pageModelFor(
  name: string,
  context: Pick<WidgetContext, 'progress' | 'setBackend'>,
): Promise<HookedModel> {
  const model = await pageModel(name, (p) =>
    context.progress({
      ...p,
      label: p.stage === 'download' ? `Downloading ${name}` : `Starting ${name}`,
    }),
  );
  context.setBackend(model.backend);
  return model;
}
