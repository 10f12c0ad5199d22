"use client";
// Left sidebar: every kind from the catalog, grouped by category, searchable.
// Drag an item onto the canvas, or press Enter / click "+" to add it at the centre.
import { memo, useMemo, useState } from "react";
import { CATEGORIES } from "../../flow/catalog";
import { DND_KIND_TYPE, searchPalette } from "./palette-items";

function PaletteImpl({ onAdd, disabled }: { onAdd: (kind: string) => void; disabled?: boolean }) {
  const [query, setQuery] = useState("");
  const items = useMemo(() => searchPalette(query), [query]);
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
          if (e.key === "Enter" && items[0] && !disabled) onAdd(items[0].kind);
        }}
      />
      {CATEGORIES.map((cat) => {
        const inCat = items.filter((i) => i.category === cat.id);
        if (inCat.length === 0) return null;
        return (
          <section key={cat.id} className="palette-group">
            <h3>{cat.label}</h3>
            <ul>
              {inCat.map((it) => (
                <li
                  key={it.kind}
                  className={`palette-item cat-${it.category}`}
                  draggable={!disabled}
                  data-kind={it.kind}
                  title={it.description}
                  aria-label={`${it.label}: ${it.description}`}
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
                    disabled={disabled}
                    onClick={() => onAdd(it.kind)}
                  >
                    +
                  </button>
                  <span className="palette-item-desc">{it.description}</span>
                </li>
              ))}
            </ul>
          </section>
        );
      })}
      {items.length === 0 && <p className="muted">No node matches “{query}”.</p>}
    </aside>
  );
}

export const Palette = memo(PaletteImpl);
