// Next.js configuration for IVR Studio.
import { cpSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(fileURLToPath(import.meta.url));

// Monaco is served from our own origin (never a CDN): copy the installed package's AMD
// build into public/monaco/vs once; @monaco-editor/react loads it from /monaco/vs.
function copyMonaco() {
  const from = path.join(root, "node_modules/monaco-editor/min/vs");
  const to = path.join(root, "public/monaco/vs");
  if (existsSync(path.join(to, "loader.js")) || !existsSync(from)) return;
  cpSync(from, to, { recursive: true });
}
copyMonaco();

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Server-only packages with native/wasm parts: loaded by Node, never bundled.
  serverExternalPackages: ["@electric-sql/pglite", "@prisma/client", "pglite-prisma-adapter", "@prisma/adapter-pg", "pg"],
  // The whole repository is type-checked by `npm test` (tsc -p tsconfig.json); checking
  // again inside `next build` costs a minute on 2 cores and would fail the build on other
  // areas' work in progress.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
