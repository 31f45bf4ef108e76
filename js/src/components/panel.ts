// The side panel: every field of the selected item, and its comments.
import { h, setText, toggleClass } from "./dom";
import { LiveField } from "./editable";
import { emotionLabel } from "../model/emotion";
import { linesToList, listToLines } from "./format";
import { icon } from "./icons";
import { CHANNELS } from "../model/vocabulary";
import { findItem, isOpenConflict, itemTitle } from "../model/items";
import { addOp, removeOp, updateOp } from "../model/ops";
import { KeyedList, type Component } from "./reconcile";
import { FIELDS, empathyText, fromText, toText, type FieldDef } from "./fields";
import type { Ctx } from "./ctx";
import type { Comment, ItemKind } from "../model/types";

const KIND_LABELS: Record<ItemKind, string> = {
  journey: "Journey",
  persona: "Persona",
  goal: "Goal / KPI",
  stage: "Stage",
  lane: "Lane",
  touchpoint: "Touchpoint",
  card: "Card",
  comment: "Comment",
};

interface Control {
  el: HTMLElement;
  set(value: unknown, item: any): void;
  destroy?(): void;
}

let fieldCounter = 0;

export class Panel {
  readonly el: HTMLElement;
  private body: HTMLElement;
  private kindLabel: HTMLElement;
  private titleEl: HTMLElement;
  private controls: { def: FieldDef; ctl: Control }[] = [];
  private id = "";
  private kind: ItemKind | null = null;
  private comments: KeyedList<Comment> | null = null;
  private commentList: HTMLElement | null = null;
  private commentText: HTMLTextAreaElement | null = null;
  private author = "";
  ctx: Ctx;

  constructor(ctx: Ctx, private onClose: () => void) {
    this.ctx = ctx;
    this.kindLabel = h("div", { class: "jw-panel-kind" });
    this.titleEl = h("div", { class: "jw-panel-title" });
    const close = h("button", { type: "button", class: "jw-ibtn jw-panel-close", title: "Close panel", "aria-label": "Close panel" }, icon("close"));
    close.addEventListener("click", () => this.onClose());
    const head = h("div", { class: "jw-panel-head" }, h("div", { class: "jw-panel-heading" }, this.kindLabel, this.titleEl), close);
    this.body = h("div", { class: "jw-panel-body" });
    this.el = h("aside", { class: "jw-panel", "aria-label": "Details of the selected item" }, head, this.body);
    this.el.hidden = true;
  }

  /** Show item `id` (or hide with ""), refreshing field values from the document. */
  render(ctx: Ctx, id: string): void {
    this.ctx = ctx;
    const found = findItem(ctx.doc, id);
    if (!found) {
      if (this.id) this.teardown();
      this.el.hidden = true;
      this.id = "";
      return;
    }
    this.el.hidden = false;
    if (id !== this.id || found.kind !== this.kind) {
      this.teardown();
      this.id = id;
      this.kind = found.kind;
      this.build(found.kind, found.item);
    }
    setText(this.kindLabel, KIND_LABELS[found.kind]);
    setText(this.titleEl, itemTitle(found.kind, found.item) || "(untitled)");
    for (const { def, ctl } of this.controls) ctl.set(def.get ? def.get(found.item) : found.item[def.key], found.item);
    this.renderComments();
  }

  focusComment(): void {
    this.commentText?.focus();
  }

  private teardown(): void {
    for (const { ctl } of this.controls) ctl.destroy?.();
    this.controls = [];
    this.comments?.clear();
    this.comments = null;
    this.commentList = null;
    this.commentText = null;
    this.body.textContent = "";
  }

  private build(kind: ItemKind, item: any): void {
    const ctx = this.ctx;
    const form = h("div", { class: "jw-form" });
    for (const def of FIELDS[kind]) {
      const ctl = ctx.editable ? this.control(def, kind) : this.readonly(def);
      const fid = `jw-f-${ctx.uid}-${++fieldCounter}`;
      const target = ctl.el.matches("input,select,textarea") ? ctl.el : ctl.el.querySelector("input,select,textarea");
      if (target && !target.id) target.setAttribute("id", fid);
      const label = h("label", { class: "jw-flabel", for: target ? target.id : null }, def.label);
      const row = h("div", { class: `jw-frow jw-frow-${def.type}`, "data-key": def.key }, label, ctl.el);
      if (def.hint && ctx.editable) row.appendChild(h("div", { class: "jw-fhint" }, def.hint));
      form.appendChild(row);
      this.controls.push({ def, ctl });
    }
    this.body.appendChild(form);
    if (ctx.editable && kind !== "comment" && kind !== "journey") {
      const del = h("button", { type: "button", class: "jw-btn jw-btn-danger" }, icon("trash"), `Delete ${KIND_LABELS[kind].toLowerCase()}`);
      del.addEventListener("click", () => ctx.remove(this.id));
      this.body.appendChild(h("div", { class: "jw-panel-actions" }, del));
    }
    if (kind !== "comment") this.buildComments();
    void item;
  }

  private commit(def: FieldDef, value: unknown): Promise<boolean> {
    return this.ctx.send([updateOp(this.id, { [def.key]: value })]);
  }

  private control(def: FieldDef, kind: ItemKind): Control {
    const ctx = this.ctx;
    switch (def.type) {
      case "text":
      case "multiline":
      case "lines":
      case "csv":
      case "number":
      case "attributes": {
        const multi = def.type === "multiline" || def.type === "lines" || def.type === "attributes";
        const el = multi ? h("textarea", { class: "jw-input", rows: def.type === "multiline" ? 3 : 3 }) : h("input", { class: "jw-input", type: def.type === "number" ? "text" : "text" });
        if (def.type === "number") el.setAttribute("inputmode", "decimal");
        const lf = new LiveField(el, {
          multiline: multi,
          placeholder: def.placeholder,
          commit: (v) => this.commit(def, fromText(def.type, v)),
        });
        return {
          el,
          set: (value) => lf.set(toText(def.type, value)),
          destroy: () => lf.destroy(),
        };
      }
      case "select": {
        const el = h("select", { class: "jw-input" });
        let lastOpts = "";
        el.addEventListener("change", () => void this.commit(def, def.put ? def.put(el.value, ctx.doc) : el.value));
        return {
          el,
          set: (value) => {
            const opts = typeof def.options === "function" ? def.options(ctx.doc) : def.options || [];
            const key = JSON.stringify(opts);
            if (key !== lastOpts) {
              lastOpts = key;
              el.textContent = "";
              for (const [v, l] of opts) el.appendChild(h("option", { value: v }, l));
            }
            const v = value === null || value === undefined ? "" : String(value);
            if (!opts.some(([o]) => o === v) && v) el.appendChild(h("option", { value: v }, v));
            if (el.value !== v) el.value = v;
          },
        };
      }
      case "bool": {
        const input = h("input", { type: "checkbox", class: "jw-check" });
        input.addEventListener("change", () => void this.commit(def, input.checked));
        return { el: input, set: (value) => void (input.checked = !!value) };
      }
      case "checks": {
        const wrap = h("div", { class: "jw-checks", role: "group" });
        const boxes: [string, HTMLInputElement][] = [];
        for (const [v, l] of (def.options as [string, string][]) || []) {
          const cb = h("input", { type: "checkbox", class: "jw-check", value: v });
          cb.addEventListener("change", () => {
            void this.commit(
              def,
              boxes.filter(([, b]) => b.checked).map(([k]) => k),
            );
          });
          boxes.push([v, cb]);
          wrap.appendChild(h("label", { class: "jw-checklabel" }, cb, l));
        }
        return {
          el: wrap,
          set: (value) => {
            const set = new Set(Array.isArray(value) ? value.map(String) : []);
            for (const [k, b] of boxes) b.checked = set.has(k);
          },
        };
      }
      case "channel": {
        const input = h("input", { class: "jw-input", type: "text", list: `jw-channels-${ctx.uid}` });
        const dl = h("datalist", { id: `jw-channels-${ctx.uid}` });
        for (const c of CHANNELS) dl.appendChild(h("option", { value: c.id }, c.label));
        const lf = new LiveField(input, {
          placeholder: "web, email, phone… or your own",
          commit: (v) => this.commit(def, v.trim() === "" ? null : v.trim()),
        });
        const wrap = h("div", { class: "jw-channel-field" }, input, dl);
        return { el: wrap, set: (value) => lf.set(value ? String(value) : ""), destroy: () => lf.destroy() };
      }
      case "emotion": {
        const sc = ctx.scale;
        const range = h("input", { type: "range", class: "jw-range", min: sc.min, max: sc.max, step: 0.5 });
        const out = h("span", { class: "jw-range-out" });
        const clear = h("button", { type: "button", class: "jw-btn jw-btn-small" }, "Clear");
        range.addEventListener("input", () => setText(out, emotionLabel(Number(range.value), ctx.scale)));
        range.addEventListener("change", () => void this.commit(def, Number(range.value)));
        clear.addEventListener("click", () => void this.commit(def, null));
        const wrap = h("div", { class: "jw-emotion-field" }, range, out, clear);
        return {
          el: wrap,
          set: (value) => {
            const s2 = this.ctx.scale;
            range.min = String(s2.min);
            range.max = String(s2.max);
            const unset = value === null || value === undefined;
            toggleClass(wrap, "jw-unset", unset);
            const v = unset ? String((s2.min + s2.max) / 2) : String(value);
            if (range.value !== v && document.activeElement !== range) range.value = v;
            setText(out, emotionLabel(unset ? null : Number(value), s2));
            clear.disabled = unset;
          },
        };
      }
      case "empathy": {
        const parts = ["says", "thinks", "does", "feels"] as const;
        const wrap = h("div", { class: "jw-empathy" });
        const fields: Record<string, LiveField> = {};
        let current: Record<string, string[]> = {};
        for (const p of parts) {
          const ta = h("textarea", { class: "jw-input", rows: 2, "aria-label": `Empathy: ${p}` });
          fields[p] = new LiveField(ta, {
            multiline: true,
            placeholder: "one per line",
            commit: (v) => this.commit(def, { ...current, [p]: linesToList(v) }),
          });
          wrap.appendChild(h("div", { class: "jw-empathy-part" }, h("span", { class: "jw-empathy-label" }, p[0].toUpperCase() + p.slice(1)), ta));
        }
        return {
          el: wrap,
          set: (value) => {
            const v = (value && typeof value === "object" ? value : {}) as Record<string, string[]>;
            current = { says: v.says || [], thinks: v.thinks || [], does: v.does || [], feels: v.feels || [] };
            for (const p of parts) fields[p].set(listToLines(current[p]));
          },
          destroy: () => parts.forEach((p) => fields[p].destroy()),
        };
      }
    }
    void kind;
    return { el: h("div"), set: () => undefined };
  }

  private readonly(def: FieldDef): Control {
    const el = h("div", { class: "jw-fvalue" });
    return {
      el,
      set: (value) => {
        el.textContent = "";
        if (Array.isArray(value)) {
          if (value.length === 0) el.appendChild(h("span", { class: "jw-muted" }, "–"));
          else {
            const ul = h("ul", { class: "jw-list" });
            for (const v of value) ul.appendChild(h("li", null, String(v)));
            el.appendChild(ul);
          }
        } else if (def.type === "emotion") {
          el.appendChild(document.createTextNode(emotionLabel(value as number | null, this.ctx.scale)));
        } else if (def.type === "bool") {
          el.appendChild(document.createTextNode(value ? "Yes" : "No"));
        } else if (def.type === "attributes") {
          el.appendChild(document.createTextNode(toText("attributes", value) || "–"));
        } else if (def.type === "empathy") {
          el.appendChild(document.createTextNode(empathyText(value) || "–"));
        } else if (def.type === "select") {
          const opts = typeof def.options === "function" ? def.options(this.ctx.doc) : def.options || [];
          const hit = opts.find(([o]) => o === value);
          el.appendChild(document.createTextNode(hit ? hit[1] : value ? String(value) : "–"));
        } else {
          el.appendChild(document.createTextNode(value === null || value === undefined || value === "" ? "–" : String(value)));
        }
      },
    };
  }

  // ------------------------------------------------------------ comments

  private buildComments(): void {
    const ctx = this.ctx;
    const list = h("div", { class: "jw-comments" });
    this.commentList = list;
    const section = h("section", { class: "jw-comments-section" }, h("h4", { class: "jw-panel-sub" }, icon("comment"), "Comments"), list);
    this.comments = new KeyedList<Comment>(
      (c) => c.id,
      (c) => JSON.stringify(c),
      (c) => this.commentItem(c),
    );
    if (ctx.editable) {
      const author = h("input", { class: "jw-input jw-comment-author", type: "text", placeholder: "Your name", "aria-label": "Comment author" });
      author.value = this.author;
      author.addEventListener("input", () => (this.author = author.value));
      const text = h("textarea", { class: "jw-input jw-comment-text", rows: 2, placeholder: "Add a comment…", "aria-label": "New comment" });
      const add = h("button", { type: "button", class: "jw-btn jw-btn-primary jw-comment-add" }, "Comment");
      const submit = () => {
        const t = text.value.trim();
        if (!t) return;
        // Python makes the id and stamps the time
        const item = { target: this.id, author: author.value.trim(), text: t, resolved: false };
        this.ctx.send([addOp("comment", item)]).then((ok) => {
          if (ok) text.value = "";
        });
      };
      add.addEventListener("click", submit);
      text.addEventListener("keydown", (e) => {
        if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          submit();
        }
      });
      this.commentText = text;
      section.appendChild(h("div", { class: "jw-comment-form" }, author, text, add));
    }
    this.body.appendChild(section);
  }

  private commentItem(c: Comment): Component<Comment> {
    const ctx = this.ctx;
    const el = h("div", { class: "jw-comment", "data-id": c.id, "data-kind": "comment" });
    const author = h("span", { class: "jw-comment-who" });
    const when = h("span", { class: "jw-comment-when" });
    const text = h("div", { class: "jw-comment-body" });
    const head = h("div", { class: "jw-comment-head" }, author, when);
    let resolve: HTMLButtonElement | null = null;
    let cur = c;
    if (ctx.editable) {
      resolve = h("button", { type: "button", class: "jw-btn jw-btn-small jw-resolve" });
      resolve.addEventListener("click", () => void ctx.send([updateOp(cur.id, { resolved: !cur.resolved })]));
      const del = h("button", { type: "button", class: "jw-ibtn jw-del", title: "Delete comment", "aria-label": "Delete comment" }, icon("trash"));
      del.addEventListener("click", () => void ctx.send([removeOp(cur.id)]));
      head.append(h("span", { class: "jw-spacer" }), resolve, del);
    }
    el.append(head, text);
    const update = (cm: Comment) => {
      cur = cm;
      setText(author, cm.author || "Anonymous");
      setText(when, cm.created ? cm.created.slice(0, 10) : "");
      setText(text, cm.text);
      toggleClass(el, "jw-resolved", !!cm.resolved);
      toggleClass(el, "jw-conflict", isOpenConflict(cm));
      if (resolve) {
        setText(resolve, cm.resolved ? "Reopen" : "Resolve");
        resolve.setAttribute("aria-pressed", String(!!cm.resolved));
      }
    };
    update(c);
    return { el, update };
  }

  private renderComments(): void {
    if (!this.comments || !this.commentList) return;
    const list = (this.ctx.doc.comments || []).filter((c) => c.target === this.id);
    this.comments.sync(this.commentList, list);
    toggleClass(this.commentList, "jw-empty", list.length === 0);
  }
}
