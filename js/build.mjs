// Bundles js/src/index.ts into src/journeywidget/static/widget.js (+ widget.css).
import * as esbuild from "esbuild";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(here, "../src/journeywidget/static");
mkdirSync(outdir, { recursive: true });

const options = {
  entryPoints: [resolve(here, "src/index.ts")],
  bundle: true,
  format: "esm",
  minify: true,
  target: ["es2020"],
  outfile: resolve(outdir, "widget.js"),
  legalComments: "none",
  logLevel: "info",
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
    plugins: [{ name: "css", setup(b) { b.onEnd(copyCss); } }],
  });
  await ctx.watch();
} else {
  await esbuild.build(options);
  copyCss();
}
