// `ivr serve --database`: bad input is one clear line and exit code 2, before anything starts
// (the cluster itself is test/cluster).
import { describe, expect, it } from "vitest";
import { expectOneErrorLine, runIvr } from "./run-cli";

describe("ivr serve --database", () => {
  it("needs a postgres:// URL (npm run runtime without DATABASE_URL)", async () => {
    const empty = await runIvr(["serve", "--database", ""]);
    expect(empty.code).toBe(2);
    expect(expectOneErrorLine(empty)).toBe("ivr: --database needs a PostgreSQL URL (postgres://user:pass@host:5432/db); is DATABASE_URL set?");
    const other = await runIvr(["serve", "--database", "mysql://u:secret@db/ivr"]);
    expect(other.code).toBe(2);
    // The password is not echoed.
    expect(expectOneErrorLine(other)).toBe("ivr: --database must be a postgres:// URL, got 'mysql://u:***@db/ivr'");
  });

  it("takes its routes from the database, not from --route; cluster options need --database", async () => {
    const both = await runIvr(["serve", "--database", "postgres://127.0.0.1:1/x", "--route", "1000=a.ts"]);
    expect(both.code).toBe(2);
    expect(expectOneErrorLine(both)).toBe("ivr: --route cannot be used with --database: routes, flows and their settings come from the database");
    const alone = await runIvr(["serve", "--route", "1000=a.ts", "--runtime-id", "rt1"]);
    expect(alone.code).toBe(2);
    expect(expectOneErrorLine(alone)).toBe("ivr: --runtime-id needs --database (see: ivr help serve)");
  });

  it("says which database it could not open", async () => {
    const r = await runIvr(["serve", "--database", "postgres://ivr:secret@127.0.0.1:1/ivr", "--sip", "127.0.0.1:0"]);
    expect(r.code).toBe(2);
    expect(expectOneErrorLine(r)).toMatch(/^ivr: cannot open the database postgres:\/\/ivr:\*\*\*@127\.0\.0\.1:1\/ivr: .*ECONNREFUSED/);
  });
});
