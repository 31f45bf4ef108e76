// A card (sticky note) in a lane's cell.
import { h } from "./dom";
import { bodyDrag, clampTitle, commentBadge, grip, iconButton, lazyChrome, liveText } from "./common";
import type { Component } from "./reconcile";
import type { Ctx } from "./ctx";
import type { Card } from "../model/types";

export interface CardItem {
  card: Card;
  kind: string;
  comments?: { open: number; total: number };
}

export function cardItem(ctx: Ctx, item: CardItem): Component<CardItem> {
  const id = item.card.id;
  const el = h("div", { class: "jw-card jw-item", "data-id": id, "data-kind": "card", tabindex: 0 });
  const bar = h("div", { class: "jw-card-bar" });
  let badge: ReturnType<typeof commentBadge> | null = null;
  let chrome = false;
  const ensureBadge = () => {
    if (badge) return;
    badge = commentBadge(ctx, id);
    bar.prepend(badge.el);
  };
  const text = liveText(ctx, "div", "jw-card-text", id, "text", item.card.text || "", {
    multiline: true,
    placeholder: "Write something…",
    label: "Card text",
  });
  el.append(bar, text.el);
  if (ctx.editable) bodyDrag(ctx, el, "card", id);
  let cur = item;
  if (ctx.editable) {
    lazyChrome(el, () => {
      chrome = true;
      el.prepend(grip(ctx, "card", id, el));
      ensureBadge();
      bar.appendChild(iconButton("close", "Delete card", "jw-del", () => ctx.remove(id)));
      update(cur);
    });
  }
  function update(it: CardItem) {
    cur = it;
    text.set(it.card.text || "");
    clampTitle(text.el, it.card.text || "", 140);
    // the whole text as the tooltip of the card's chip (compact zoom shows it as a bar)
    el.setAttribute("title", (it.card.text || "").slice(0, 300));
    if ((it.comments && it.comments.total > 0) || chrome) ensureBadge();
    if (badge) badge.set(it.comments);
    el.setAttribute("data-lane-kind", it.kind);
  }
  update(item);
  return { el, update, destroy: () => text.field?.destroy() };
}
