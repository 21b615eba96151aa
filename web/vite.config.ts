/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { bundleBudget } from "./budget.ts";

// `npm run dev` serves the console on :5173 and proxies the API and the dev sign-in to the local host (make run).
const API = process.env.CONSOLE_API_ORIGIN ?? "http://127.0.0.1:7071";

export default defineConfig({
  plugins: [react(), bundleBudget()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 2000 },
  server: {
    proxy: { "/api": API, "/config.json": API, "/.devhost": API },
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}", "budget.test.ts"],
    testTimeout: 20000,
  },
});
