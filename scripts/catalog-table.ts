// Prints the node catalog as a Markdown table (pasted into README.md).
// Run: npx tsx scripts/catalog-table.ts
import { CATALOG, CATEGORIES, defaultParams, NODE_KINDS, type NodeKind } from "../flow";

/** Outcomes that depend on the node's parameters, described instead of listed. */
const DYNAMIC_OUTCOMES: Partial<Record<NodeKind, string>> = {
  menu: "one per choice, `failed`",
  branch: "one per case, `default`",
  play: "`next`, one per interrupt key if *Branch on key*",
};

const cell = (s: string) => s.replace(/\|/g, "\\|");

export function catalogTable(): string {
  const rows = [
    "| Kind | Label | Category | Outcomes | Session methods |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const category of CATEGORIES) {
    for (const kind of NODE_KINDS) {
      const spec = CATALOG[kind];
      if (spec.category !== category.id) continue;
      const outcomes =
        DYNAMIC_OUTCOMES[kind] ??
        ((spec.outcomes as (p: unknown) => { key: string }[])(defaultParams(kind)).map((o) => `\`${o.key}\``).join(", ") ||
          "— (ends the flow)");
      const methods = spec.sessionMethods.map((m) => `\`${m}\``).join(", ") || "—";
      const flags = [spec.entry ? "entry" : "", spec.adminOnly ? "admin only" : ""].filter(Boolean).join(", ");
      rows.push(
        `| \`${kind}\` | ${cell(spec.label)}${flags ? ` (${flags})` : ""} | ${category.label} | ${cell(outcomes)} | ${cell(methods)} |`,
      );
    }
  }
  return rows.join("\n");
}

console.log(catalogTable());
