import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

export default defineConfig({
  resolve: {
    alias: {
      "ivr-studio/runtime": fileURLToPath(new URL("./runtime/index.ts", import.meta.url)),
    },
  },
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 30_000,
    // Servers started by tests don't speak the starter sound set into their sound folders.
    env: { IVR_STARTER_SOUNDS: "0" },
    hookTimeout: 60_000,
    reporters: ["default"],
  },
});
