// Palette entries derived from the catalog, and the search shared by palette and quick-add.
import { CATALOG, CATEGORIES, NODE_KINDS, type NodeKind } from "../../flow/catalog";
import type { Category } from "../../flow/catalog";

export interface PaletteItem {
  kind: NodeKind;
  label: string;
  category: Category;
  description: string;
}

export const PALETTE_ITEMS: PaletteItem[] = NODE_KINDS.map((kind) => {
  const spec = CATALOG[kind];
  return { kind, label: spec.label, category: spec.category, description: spec.description };
});

export function searchPalette(query: string): PaletteItem[] {
  const q = query.trim().toLowerCase();
  if (!q) return PALETTE_ITEMS;
  const scored = PALETTE_ITEMS.map((it) => {
    const label = it.label.toLowerCase();
    const score = label.startsWith(q)
      ? 0
      : label.includes(q) || it.kind.includes(q)
        ? 1
        : it.description.toLowerCase().includes(q)
          ? 2
          : -1;
    return { it, score };
  }).filter((x) => x.score >= 0);
  return scored.sort((a, b) => a.score - b.score).map((x) => x.it);
}

/**
 * Kinds the catalog allows once per flow (`entry`: the Start node) that the flow already has:
 * offering them again would only add a node the validator rejects.
 */
export function kindsAtTheirLimit(presentKinds: Iterable<string>): Set<string> {
  const full = new Set<string>();
  for (const kind of presentKinds) if (CATALOG[kind as NodeKind]?.entry) full.add(kind);
  return full;
}

/** `text` cut to at most `max` characters at a word boundary, with an ellipsis when cut. */
export function clipAtWord(text: string, max: number): string {
  const t = text.trim();
  if (t.length <= max) return t;
  const room = t.slice(0, max); // max - 1 characters of text + "…" still fit in max
  const lastSpace = room.slice(0, max - 1).search(/\s\S*$/);
  const cut = lastSpace > max / 3 ? room.slice(0, lastSpace) : room.slice(0, max - 1);
  return `${cut.replace(/[\s,;:.\u2013\u2014-]+$/, "")}…`;
}

export const CATEGORY_LABEL = Object.fromEntries(CATEGORIES.map((c) => [c.id, c.label])) as Record<Category, string>;

/** dataTransfer type used when dragging a kind from the palette onto the canvas. */
export const DND_KIND_TYPE = "application/x-ivr-node-kind";
