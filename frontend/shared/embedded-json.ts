// Reads state the server rendered into the page (<script type="application/json" id=…>), so
// nothing has to be fetched before the user sees it.
export function embeddedJson<T>(id: string): T {
  const element = document.getElementById(id);
  if (!element?.textContent) throw new Error(`The page has no #${id} data`);
  return JSON.parse(element.textContent) as T;
}
