// Import an ES module from its source text (the map's code, the chart runtime, the
// standalone page's bundle): from a Blob URL, or a data: URL where a host refuses
// blob: modules (e.g. file:// pages in some browsers). Nothing is fetched.

export async function importCode(source: string): Promise<any> {
  const dataUrl = () => "data:text/javascript;charset=utf-8," + encodeURIComponent(source);
  if (typeof URL.createObjectURL !== "function") return import(/* webpackIgnore: true */ /* @vite-ignore */ dataUrl());
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  try {
    return await import(/* webpackIgnore: true */ /* @vite-ignore */ url);
  } catch (err) {
    try {
      return await import(/* webpackIgnore: true */ /* @vite-ignore */ dataUrl());
    } catch {
      throw err;
    }
  } finally {
    URL.revokeObjectURL(url);
  }
}
