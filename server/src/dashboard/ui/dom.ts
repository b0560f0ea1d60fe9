// A few DOM helpers: element building (text is always set as text, never parsed as HTML) and tables.

type Child = Node | string | null | undefined | false;

export interface ElementOptions {
  readonly className?: string;
  readonly attrs?: Readonly<Record<string, string>>;
  readonly on?: { readonly [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, options: ElementOptions = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (options.className) element.className = options.className;
  for (const [name, value] of Object.entries(options.attrs ?? {})) element.setAttribute(name, value);
  for (const [type, listener] of Object.entries(options.on ?? {})) element.addEventListener(type, listener as EventListener);
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

export interface Column<T> {
  readonly header: string;
  readonly cell: (row: T) => Child;
  /** Right-aligned numbers. */
  readonly numeric?: boolean;
}

/** A table with one row per item; `rowKey` becomes each row's data-key (tests and selection find rows by it). */
export function table<T>(columns: readonly Column<T>[], rows: readonly T[], rowKey: (row: T) => string, empty: string): HTMLElement {
  if (rows.length === 0) return el('p', { className: 'empty' }, empty);
  const head = el('tr', {}, ...columns.map((column) => el('th', column.numeric ? { className: 'num' } : {}, column.header)));
  const body = rows.map((row) =>
    el('tr', { attrs: { 'data-key': rowKey(row) } }, ...columns.map((column) => el('td', column.numeric ? { className: 'num' } : {}, column.cell(row)))),
  );
  return el('table', {}, el('thead', {}, head), el('tbody', {}, ...body));
}

/** Replaces everything inside `parent` with `children`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren(...children.filter((child): child is Node | string => child !== null && child !== undefined && child !== false));
}
