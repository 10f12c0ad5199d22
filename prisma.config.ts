// Prisma CLI configuration. The app itself does not read this file: it opens PGlite (default)
// or PostgreSQL (DATABASE_URL) through driver adapters and applies prisma/migrations with its
// own runner at start. Where the CLI can download its schema engine, `npx prisma migrate
// deploy|status` work on the same folders against DATABASE_URL.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  ...(process.env.DATABASE_URL ? { datasource: { url: process.env.DATABASE_URL } } : {}),
});
