// Bundles the front end into src/journeywidget/static/:
//   widget.js          js/src/index.ts: the map, WITHOUT Vega; the kernel's shared
//                      JourneyRuntime widget holds it once (or a widget's `_esm` inline)
//   loader.js          js/src/loader.ts: every JourneyWidget's `_esm` (about 2 KB): takes
//                      widget.js from the shared runtime
//   charts-runtime.js  js/src/charts-runtime.ts: vega + vega-lite + vega-embed, sent to
//                      the page (the runtime's `charts` trait) only once a map shows a chart
//   standalone.js      js/src/standalone.ts: the module script of the standalone HTML
//                      page (journeywidget.export.to_html embeds it): the page's model
//                      and op applier; it loads widget.js from the page
//   widget.css
// Each module is a single self-contained ES module file (no code splitting, no
// chunk imports): anywidget and charts/runtime.ts load them from Blob URLs.
// `npm run build` first writes js/src/model/journey.ts from the JSON Schema.
import * as esbuild from "esbuild";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(here, "../src/journeywidget/static");
mkdirSync(outdir, { recursive: true });

const common = {
  bundle: true,
  splitting: false,
  format: "esm",
  minify: true,
  target: ["es2020"],
  legalComments: "none",
  logLevel: "info",
};

// Fails the build if Vega ends up in the map's module (it must stay in the runtime).
const noVega = {
  name: "no-vega-in-widget",
  setup(b) {
    b.onResolve({ filter: /^vega(-lite|-embed)?($|\/)/ }, (args) => ({
      errors: [{ text: `${args.path} imported from ${args.importer}: Vega belongs in charts-runtime.ts, not in widget.js` }],
    }));
  },
};

const options = {
  ...common,
  entryPoints: [resolve(here, "src/index.ts")],
  outfile: resolve(outdir, "widget.js"),
  plugins: [noVega],
};

const loaderOptions = {
  ...common,
  entryPoints: [resolve(here, "src/loader.ts")],
  outfile: resolve(outdir, "loader.js"),
  plugins: [noVega],
};

const runtimeOptions = {
  ...common,
  entryPoints: [resolve(here, "src/charts-runtime.ts")],
  outfile: resolve(outdir, "charts-runtime.js"),
};

// The standalone page's script: Python puts it inline in a <script type="module">.
const standaloneOptions = {
  ...common,
  entryPoints: [resolve(here, "src/standalone.ts")],
  outfile: resolve(outdir, "standalone.js"),
  plugins: [noVega],
};

function copyCss() {
  esbuild.buildSync({
    entryPoints: [resolve(here, "src/widget.css")],
    bundle: true,
    minify: true,
    outfile: resolve(outdir, "widget.css"),
    logLevel: "warning",
  });
}

if (process.argv.includes("--watch")) {
  const ctx = await esbuild.context({
    ...options,
    plugins: [...options.plugins, { name: "css", setup(b) { b.onEnd(copyCss); } }],
  });
  const runtimeCtx = await esbuild.context(runtimeOptions);
  const standaloneCtx = await esbuild.context(standaloneOptions);
  const loaderCtx = await esbuild.context(loaderOptions);
  await Promise.all([ctx.watch(), runtimeCtx.watch(), standaloneCtx.watch(), loaderCtx.watch()]);
} else {
  await Promise.all([esbuild.build(options), esbuild.build(runtimeOptions), esbuild.build(standaloneOptions), esbuild.build(loaderOptions)]);
  copyCss();
}
