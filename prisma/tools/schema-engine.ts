// Prisma's schema engine compiled to WebAssembly, driven through a driver adapter.
// The CLI cannot download its native engine here (no internet), so migration SQL
// is produced by this engine instead; the output is what `prisma migrate dev` writes.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { SchemaEngine as SchemaEngineType } from "@prisma/schema-engine-wasm";
// A dependency of both driver adapters (same Prisma version), hoisted by npm.
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";

type Bg = typeof import("@prisma/schema-engine-wasm/schema_engine_bg") & {
  __wbg_set_wasm(exports: WebAssembly.Exports): void;
};

let loaded: Promise<Bg> | undefined;

/** Load and instantiate the engine's .wasm once per process (the package's own entry imports .wasm as ESM, which Node cannot). */
function loadEngine(): Promise<Bg> {
  loaded ??= (async () => {
    // The engine reports Rust panics through this global; it must exist before use.
    const g = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: unknown };
    class PanicRegistry {
      message = "";
      get() {
        return this.message;
      }
      set_message(m: string) {
        this.message = `RuntimeError: ${m}`;
      }
    }
    g.PRISMA_WASM_PANIC_REGISTRY ??= new PanicRegistry();
    const bg = (await import("@prisma/schema-engine-wasm/schema_engine_bg")) as Bg;
    const require = createRequire(import.meta.url);
    const wasmPath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg").replace(/\.js$/, ".wasm");
    const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), { "./schema_engine_bg.js": bg as unknown as WebAssembly.ModuleImports });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bg;
  })();
  return loaded;
}

/** One engine per process: create it with the schema text and a migration-aware adapter factory. */
export async function createSchemaEngine(
  schema: { path: string; content: string },
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  log: (line: string) => void = () => {},
): Promise<SchemaEngineType> {
  const bg = await loadEngine();
  // The engine expects the error-capturing wrapper the Prisma CLI puts around adapters
  // (methods bound, results as { ok, value | error }).
  const bound = bindMigrationAwareSqlAdapterFactory(adapterFactory);
  return bg.SchemaEngine.new({ datamodels: [[schema.path, schema.content]] }, log, bound);
}
