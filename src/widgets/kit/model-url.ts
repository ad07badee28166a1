/** Where the widgets find a model's folder: public/models/<name>/, under the site's base. */
import { withBase } from '../../content/base';

/** The absolute URL of model `name`'s folder (with a trailing slash). */
export function modelFolderUrl(name: string): string {
  return new URL(withBase(`models/${name}/`), location.href).href;
}
