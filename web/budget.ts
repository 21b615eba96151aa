// The bundle budget: after `vite build`, print every chunk's size (raw and gzipped) and fail the build when the main
// (entry) chunk is over MAX_MAIN_GZIP_BYTES gzipped. Also refuses any absolute http(s) URL to a script or stylesheet
// in index.html: every asset is bundled, nothing comes from a CDN at run time.
import { gzipSync } from "node:zlib";
import type { Plugin } from "vite";

export const MAX_MAIN_GZIP_BYTES = 500 * 1024;

interface ChunkSize {
  file: string;
  entry: boolean;
  bytes: number;
  gzipBytes: number;
}

export function measure(files: { fileName: string; code: string | Uint8Array; isEntry: boolean }[]): ChunkSize[] {
  return files
    .map((f) => {
      const buf = typeof f.code === "string" ? Buffer.from(f.code) : Buffer.from(f.code);
      return { file: f.fileName, entry: f.isEntry, bytes: buf.length, gzipBytes: gzipSync(buf, { level: 9 }).length };
    })
    .sort((a, b) => b.gzipBytes - a.gzipBytes);
}

export function overBudget(sizes: ChunkSize[], max = MAX_MAIN_GZIP_BYTES): ChunkSize[] {
  return sizes.filter((s) => s.entry && s.file.endsWith(".js") && s.gzipBytes > max);
}

export function cdnReferences(html: string): string[] {
  const found = html.match(/<(script|link)[^>]+(src|href)=["']https?:\/\/[^"']+["']/gi);
  return found ?? [];
}

export function bundleBudget(max = MAX_MAIN_GZIP_BYTES): Plugin {
  return {
    name: "bundle-budget",
    apply: "build",
    generateBundle(_options, bundle) {
      const files = Object.values(bundle).map((item) =>
        item.type === "chunk"
          ? { fileName: item.fileName, code: item.code, isEntry: item.isEntry }
          : { fileName: item.fileName, code: item.source, isEntry: false },
      );
      const sizes = measure(files);
      const main = sizes.find((s) => s.entry && s.file.endsWith(".js"));
      const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
      for (const s of sizes.slice(0, 12)) {
        console.log(`bundle: ${s.file.padEnd(44)} ${kb(s.bytes).padStart(10)}  gzip ${kb(s.gzipBytes).padStart(9)}`);
      }
      console.log(
        "bundle-size " +
          JSON.stringify({
            mainChunk: main?.file,
            mainGzipBytes: main?.gzipBytes,
            budgetGzipBytes: max,
            totalGzipBytes: sizes.reduce((n, s) => n + s.gzipBytes, 0),
          }),
      );
      const over = overBudget(sizes, max);
      if (over.length) {
        this.error(`main chunk ${over[0]!.file} is ${kb(over[0]!.gzipBytes)} gzipped, over the ${kb(max)} budget`);
      }
      const html = files.find((f) => f.fileName === "index.html");
      const cdn = html ? cdnReferences(String(html.code)) : [];
      if (cdn.length) this.error(`index.html loads assets from outside the bundle: ${cdn.join(", ")}`);
    },
  };
}
