/**
 * Run `start` once, when `element` comes within `rootMargin` of the screen or takes focus (a
 * keyboard user tabbing into it), so that a part of the page below the first screen does its work
 * only when it is about to be seen. Without IntersectionObserver, at once.
 */
export function whenNear(element: HTMLElement, rootMargin: string, start: () => void): void {
  const begin = () => {
    observer?.disconnect();
    element.removeEventListener('focusin', begin);
    start();
  };
  const observer =
    typeof IntersectionObserver === 'undefined'
      ? null
      : new IntersectionObserver(
          (entries) => {
            if (entries.some((entry) => entry.isIntersecting)) begin();
          },
          { rootMargin },
        );
  if (observer) observer.observe(element);
  else begin();
  element.addEventListener('focusin', begin);
}
