// Keyed reconciliation: one component per item id, patched only when the
// item's signature changed, created and removed as items come and go.

export interface Component<T> {
  el: Element;
  update(item: T): void;
  destroy?(): void;
}

export interface ReconcileStats {
  created: number;
  updated: number;
  removed: number;
  moved: number;
}

export function emptyStats(): ReconcileStats {
  return { created: 0, updated: 0, removed: 0, moved: 0 };
}

interface Entry<T> {
  comp: Component<T>;
  sig: string;
}

export class KeyedList<T> {
  readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly key: (item: T) => string,
    private readonly sig: (item: T) => string,
    private readonly create: (item: T) => Component<T>,
    private readonly stats?: ReconcileStats,
  ) {}

  /**
   * Bring `parent` in line with `items`. With `ordered`, the components are
   * kept as the first children of `parent` in item order (other children,
   * such as an "add" button, stay after them); without it, order is left
   * alone (for grid cells placed explicitly).
   */
  sync(parent: Element, items: readonly T[], ordered = true): void {
    const seen = new Set<string>();
    let prev: Node | null = null;
    for (const item of items) {
      const k = this.key(item);
      if (seen.has(k)) continue; // a duplicate id: render the first only
      seen.add(k);
      const sig = this.sig(item);
      let e = this.entries.get(k);
      if (!e) {
        e = { comp: this.create(item), sig };
        this.entries.set(k, e);
        if (this.stats) this.stats.created++;
        if (!ordered) parent.appendChild(e.comp.el);
      } else if (e.sig !== sig) {
        e.comp.update(item);
        e.sig = sig;
        if (this.stats) this.stats.updated++;
      }
      if (ordered) {
        const expected: Node | null = prev ? prev.nextSibling : parent.firstChild;
        if (e.comp.el !== expected) {
          parent.insertBefore(e.comp.el, expected);
          if (this.stats) this.stats.moved++;
        }
        prev = e.comp.el;
      }
    }
    for (const [k, e] of this.entries) {
      if (!seen.has(k)) {
        e.comp.el.remove();
        if (e.comp.destroy) e.comp.destroy();
        this.entries.delete(k);
        if (this.stats) this.stats.removed++;
      }
    }
  }

  get(key: string): Component<T> | undefined {
    const e = this.entries.get(key);
    return e ? e.comp : undefined;
  }

  /** Forget a signature so the next sync patches the item again. */
  invalidate(key?: string): void {
    if (key === undefined) for (const e of this.entries.values()) e.sig = "\u0000";
    else {
      const e = this.entries.get(key);
      if (e) e.sig = "\u0000";
    }
  }

  clear(): void {
    for (const e of this.entries.values()) {
      e.comp.el.remove();
      if (e.comp.destroy) e.comp.destroy();
    }
    this.entries.clear();
  }
}

/** An item with its key and signature, as the view's keyed lists hold them. */
export interface Keyed<T> {
  key: string;
  sig: string;
  data: T;
}

/** A component of `T` as a component of `Keyed<T>` (the list hands it the keyed item). */
export function keyed<T>(c: Component<T>): Component<Keyed<T>> {
  return {
    el: c.el,
    update: (k: Keyed<T>) => c.update(k.data),
    destroy: c.destroy ? () => c.destroy!() : undefined,
  };
}

/** `data` with its key and, as signature, its JSON text. */
export function keyedItem<T>(key: string, data: T): Keyed<T> {
  return { key, sig: JSON.stringify(data), data };
}
