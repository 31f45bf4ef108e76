// The toolbar stays at the top of what is on screen while any part of the widget
// is. CSS `position: sticky` does it in a plain page; JupyterLab puts each output
// in a box with `overflow: auto` that never scrolls itself, which makes sticky
// inert there, so the toolbar is moved by the scrolls of whatever element does
// scroll the widget (a capturing scroll listener sees them all).
//
// The map's stage headers are sticky inside the map's own scroller; where the
// toolbar (or the top of the screen) covers the scroller's top, `--jw-stick-top`
// on the root moves them down to just under it, so a stage's name stays in view
// while any part of its column is.
export function keepOnScreen(root: HTMLElement, bar: HTMLElement, map: () => HTMLElement | null, scale: () => number): () => void {
  const doc = root.ownerDocument;
  const win = doc.defaultView;
  let offset = 0;
  let raf = 0;
  let scroller: Element | Document | null = null;

  const place = () => {
    raf = 0;
    if (!root.isConnected) return;
    const rr = root.getBoundingClientRect();
    const top = scroller && scroller !== doc && (scroller as Element).getBoundingClientRect ? (scroller as Element).getBoundingClientRect().top : 0;
    const natural = bar.getBoundingClientRect().top - offset;
    const room = rr.bottom - bar.offsetHeight - 40; // leave the widget's last lines visible
    const want = Math.max(natural, Math.min(Math.max(top, rr.top), room));
    const next = Math.max(0, Math.round(want - natural));
    if (next !== offset) {
      offset = next;
      bar.style.transform = offset ? `translateY(${offset}px)` : "";
      bar.classList.toggle("jw-toolbar-floating", offset > 0);
    }
    const sc = map();
    if (sc) {
      const sr = sc.getBoundingClientRect();
      const covered = Math.max(top, bar.getBoundingClientRect().bottom) - sr.top;
      const px = covered > 0 ? Math.round(Math.min(covered, Math.max(0, sr.height - 160)) / (scale() || 1)) : 0;
      const v = `${px}px`;
      if (root.style.getPropertyValue("--jw-stick-top") !== v) root.style.setProperty("--jw-stick-top", v);
    }
  };
  const onScroll = (e: Event) => {
    const t = e.target as Node | null;
    if (!t || t === bar || !(t === doc || (t as Element).contains?.(root))) return;
    scroller = t as Element | Document;
    if (!raf) raf = requestAnimationFrame(place);
  };
  doc.addEventListener("scroll", onScroll, { capture: true, passive: true });
  win?.addEventListener("resize", onScroll as EventListener, { passive: true });
  return () => {
    doc.removeEventListener("scroll", onScroll, { capture: true } as EventListenerOptions);
    win?.removeEventListener("resize", onScroll as EventListener);
    cancelAnimationFrame(raf);
    bar.style.transform = "";
  };
}
