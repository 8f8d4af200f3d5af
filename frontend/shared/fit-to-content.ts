// Sizes the iframe to what it shows (AP.resize, with all.js's own resizing off:
// data-options="resize:false"), whenever that changes: one scroll bar, the host page's, and
// no empty space below. A ResizeObserver sees every change of size — a view mode, a list
// grown by "Show more", a message shown — without each script having to say so.

export function fitToContent(content: HTMLElement): void {
  const fit = () => AP.resize('100%', `${Math.ceil(content.getBoundingClientRect().height)}px`);
  new ResizeObserver(fit).observe(content);
}
