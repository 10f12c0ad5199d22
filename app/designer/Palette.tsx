"use client";
// Left sidebar: every kind from the catalog, grouped by category, searchable.
// Drag an item onto the canvas, or press Enter / click "+" to add it at the centre. A kind the
// flow may hold once (Start) is greyed out while the flow has it.
import { memo, useMemo, useState } from "react";
import { CATEGORIES } from "../../flow/catalog";
import { useDesigner } from "./context";
import { DND_KIND_TYPE, kindsAtTheirLimit, searchPalette } from "./palette-items";

function PaletteImpl({ onAdd, disabled }: { onAdd: (kind: string) => void; disabled?: boolean }) {
  const [query, setQuery] = useState("");
  const items = useMemo(() => searchPalette(query), [query]);
  // A string, so moving nodes around does not re-render the palette.
  const fullKey = useDesigner((s) => [...kindsAtTheirLimit(s.nodes.map((n) => n.data.kind))].sort().join(","));
  const full = useMemo(() => new Set(fullKey ? fullKey.split(",") : []), [fullKey]);
  return (
    <aside className={disabled ? "palette readonly" : "palette"} aria-label="Node palette">
      <input
        type="search"
        className="palette-search"
        placeholder="Search nodes…"
        aria-label="Search nodes"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          const first = items.find((i) => !full.has(i.kind));
          if (e.key === "Enter" && first && !disabled) onAdd(first.kind);
        }}
      />
      {CATEGORIES.map((cat) => {
        const inCat = items.filter((i) => i.category === cat.id);
        if (inCat.length === 0) return null;
        return (
          <section key={cat.id} className="palette-group">
            <h3>{cat.label}</h3>
            <ul>
              {inCat.map((it) => {
                const atLimit = full.has(it.kind);
                const why = `This flow already has a ${it.label}; a flow has only one.`;
                return (
                <li
                  key={it.kind}
                  className={`palette-item cat-${it.category}${atLimit ? " at-limit" : ""}`}
                  draggable={!disabled && !atLimit}
                  data-kind={it.kind}
                  title={atLimit ? why : it.description}
                  aria-label={`${it.label}: ${atLimit ? why : it.description}`}
                  onDragStart={(e) => {
                    e.dataTransfer.setData(DND_KIND_TYPE, it.kind);
                    e.dataTransfer.setData("text/plain", it.kind);
                    e.dataTransfer.effectAllowed = "move";
                  }}
                >
                  <span className="palette-item-label">{it.label}</span>
                  <button
                    type="button"
                    className="palette-add"
                    aria-label={`Add ${it.label}`}
                    disabled={disabled || atLimit}
                    onClick={() => onAdd(it.kind)}
                  >
                    +
                  </button>
                  <span className="palette-item-desc">{atLimit ? why : it.description}</span>
                </li>
                );
              })}
            </ul>
          </section>
        );
      })}
      {items.length === 0 && <p className="muted">No node matches “{query}”.</p>}
    </aside>
  );
}

export const Palette = memo(PaletteImpl);
