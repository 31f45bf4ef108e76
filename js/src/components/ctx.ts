// What the components of the map need from the view (view/journey-view.ts implements it).
import type { EmotionScale } from "../model/emotion";
import type { JourneyDoc, Op } from "../model/types";

export type DragKind = "stage" | "lane" | "touchpoint" | "card" | "persona" | "goal" | "emotion";

export interface Ctx {
  readonly editable: boolean;
  readonly doc: JourneyDoc;
  readonly scale: EmotionScale;
  readonly uid: string;
  /** Send ops to Python; resolves true if applied. */
  send(ops: Op[], focusAfter?: { id: string; field?: string }): Promise<boolean>;
  update(id: string, fields: Record<string, unknown>): Promise<boolean>;
  remove(id: string): void;
  select(id: string): void;
  openComments(id: string): void;
  /** Start dragging an item; `fromBody`: pressed on the item's body (a click until it moves). */
  startDrag(e: PointerEvent, kind: DragKind, id: string, source: HTMLElement, fromBody?: boolean): void;
  addTouchpoint(stage: string): void;
}
