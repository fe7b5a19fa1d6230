type Child = Node | string | number | null | undefined | false | readonly Child[];
type Attrs = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;

const append = (parent: Node, child: Child): void => {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    for (const c of child as readonly Child[]) append(parent, c);
    return;
  }
  parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
};

const setAttrs = (el: Element, attrs: Attrs): void => {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.slice(2).toLowerCase(), value);
    // Through the CSSOM: the CSP (style-src 'self') refuses style attributes, not style properties.
    else if (name === 'style') (el as HTMLElement).style.cssText = String(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
};

/** An HTML element with attributes (`onClick` adds a listener) and children. */
export const h = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] => {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
};

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element; charts are drawn by this code, nothing is fetched. */
export const s = (tag: string, attrs: Attrs = {}, ...children: Child[]): SVGElement => {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
};

export const clear = (el: Element, ...children: Child[]): void => {
  el.replaceChildren();
  append(el, children);
};
