import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";

afterEach(() => cleanup());

// findBy*/waitFor wait for a condition; on a busy 2-core CI machine a screen can take more than the library's
// default 1 s to render after a navigation, so they wait up to 10 s (still well under the 20 s test timeout).
configure({ asyncUtilTimeout: 10000 });

// jsdom lacks these; Fluent UI and uPlot ask for them.
class RO {
  observe() {}
  unobserve() {}
  disconnect() {}
}
(globalThis as unknown as { ResizeObserver: unknown }).ResizeObserver ??= RO;
window.matchMedia ??= ((query: string) => ({
  matches: false,
  media: query,
  onchange: null,
  addListener() {},
  removeListener() {},
  addEventListener() {},
  removeEventListener() {},
  dispatchEvent: () => false,
})) as unknown as typeof window.matchMedia;
