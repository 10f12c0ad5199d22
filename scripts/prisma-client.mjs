// Generate the Prisma client (prisma/generated/client, not committed) when it is missing or
// older than prisma/schema.prisma. Offline: `prisma generate` never runs the schema engine,
// but the CLI insists on finding one first, so point it at any existing file (stack-notes).
import { existsSync, statSync } from "node:fs";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { root } from "./ensure.mjs";

const schema = path.join(root, "prisma", "schema.prisma");
const marker = path.join(root, "prisma", "generated", "client", "client.ts");

export function prismaClientIsFresh() {
  return existsSync(marker) && statSync(marker).mtimeMs >= statSync(schema).mtimeMs;
}

/** Generates the client when it is missing or stale; true if it did. */
export function ensurePrismaClient() {
  if (prismaClientIsFresh()) return false;
  console.log("Generating the Prisma client (prisma/generated/client)...");
  const env = {
    ...process.env,
    CHECKPOINT_DISABLE: "1",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || process.execPath,
  };
  const cli = path.join(root, "node_modules", "prisma", "build", "index.js");
  const r = spawnSync(process.execPath, [cli, "generate", "--schema", schema], { cwd: root, stdio: "inherit", env });
  if (r.status !== 0 || !existsSync(marker)) {
    console.error("prisma generate failed: see the output above");
    process.exit(r.status || 1);
  }
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) ensurePrismaClient();
