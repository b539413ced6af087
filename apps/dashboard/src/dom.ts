/**
 * The one way the dashboard makes elements: `h(tag, attrs, ...children)`. Text goes in
 * as text nodes and attributes through setAttribute, never through innerHTML, so an app
 * name, a log line or a config value can never become markup.
 */
export type Child = Node | string | number | null | undefined | false | readonly Child[];
export type Listener = (event: Event) => void;
export type AttrValue = string | number | boolean | null | undefined | Listener;
export type Attrs = Readonly<Record<string, AttrValue>>;

/** The part of `document` h() needs, so it can be tested without a browser. */
export interface DomFactory {
  createElement(tag: string): Element;
  createTextNode(text: string): Text;
}

const ATTRIBUTE_NAME = /^[a-z][a-z0-9-]*$/;
const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'xlink:href']);
/** Links go to our own hash routes and paths, or to http(s) pages: never `javascript:`. */
const SAFE_URL = /^(?:#|\/(?!\/)|https?:\/\/)/i;

export function isSafeUrl(value: string): boolean {
  return SAFE_URL.test(value.trim());
}

export function createH(doc: DomFactory) {
  const appendChild = (parent: Element, child: Child): void => {
    if (child === null || child === undefined || child === false) return;
    if (typeof child === 'string' || typeof child === 'number') parent.append(doc.createTextNode(String(child)));
    else if (Array.isArray(child)) for (const inner of child as readonly Child[]) appendChild(parent, inner);
    else parent.append(child as Node);
  };
  function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
    const element = doc.createElement(tag);
    for (const [name, value] of Object.entries(attrs ?? {})) {
      if (value === undefined || value === null || value === false) continue;
      if (typeof value === 'function') {
        if (!name.startsWith('on')) throw new Error(`h(): ${name} takes a string, not a function`);
        element.addEventListener(name.slice(2), value);
        continue;
      }
      if (!ATTRIBUTE_NAME.test(name) || name.startsWith('on') || name === 'style') throw new Error(`h(): attribute ${name} is not allowed`);
      const text = value === true ? '' : String(value);
      if (URL_ATTRIBUTES.has(name) && !isSafeUrl(text)) continue;
      element.setAttribute(name, text);
    }
    for (const child of children) appendChild(element, child);
    return element as HTMLElementTagNameMap[K];
  }
  return h;
}

/** h() over the page's document; made on first use so importing this module needs no DOM. */
let pageH: ReturnType<typeof createH> | undefined;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  pageH ??= createH(document);
  return pageH(tag, attrs, ...children);
}
