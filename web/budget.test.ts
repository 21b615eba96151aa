import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { cdnReferences, MAX_MAIN_GZIP_BYTES, measure, overBudget } from "./budget";

describe("bundle budget", () => {
  it("measures gzipped sizes and flags only an entry chunk over the budget", () => {
    const random = randomBytes(600_000).toString("base64"); // 800k characters that gzip to ~600 KB
    const sizes = measure([
      { fileName: "assets/index.js", code: random, isEntry: true },
      { fileName: "assets/lazy.js", code: random, isEntry: false },
      { fileName: "assets/small.js", code: "x".repeat(10_000), isEntry: true },
    ]);
    const small = sizes.find((s) => s.file === "assets/small.js")!;
    expect(small.gzipBytes).toBeLessThan(small.bytes);
    const over = overBudget(sizes);
    expect(over.map((s) => s.file)).toEqual(["assets/index.js"]);
    expect(over[0]!.gzipBytes).toBeGreaterThan(MAX_MAIN_GZIP_BYTES);
  });

  it("finds scripts and stylesheets loaded from another host", () => {
    const html = `<script type="module" src="/assets/index.js"></script>
      <link rel="stylesheet" href="https://cdn.example.com/x.css"><script src="http://unpkg.com/react"></script>`;
    expect(cdnReferences(html)).toHaveLength(2);
    expect(cdnReferences('<script src="/assets/a.js"></script>')).toEqual([]);
  });
});
