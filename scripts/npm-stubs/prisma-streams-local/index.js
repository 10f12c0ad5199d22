// IVR Studio's stand-in for @prisma/streams-local, put in place by "overrides" in the root
// package.json. prisma@7 depends on @prisma/dev (the `prisma dev` local Prisma Postgres server),
// which depends on @prisma/streams-local, a package that declares Node >= 22 and so made every
// `npm ci` on Node 20 print EBADENGINE. @prisma/dev loads it only from `prisma dev` (a dynamic
// import when durable streams start); IVR Studio never runs `prisma dev`: its database is PGlite
// or a PostgreSQL named by DATABASE_URL. Loading this module says so instead of failing obscurely.
throw new Error(
  "@prisma/streams-local is not installed in IVR Studio (package.json overrides it with this stub): " +
    "`prisma dev` is not used here; the database is PGlite (./data/pglite) or DATABASE_URL.",
);
