"use client";
// The small searchable popup opened by double-clicking the canvas.
import { useEffect, useMemo, useRef, useState } from "react";
import { searchPalette } from "./palette-items";

export interface QuickAddProps {
  x: number;
  y: number;
  onPick: (kind: string) => void;
  onClose: () => void;
}

export function QuickAdd({ x, y, onPick, onClose }: QuickAddProps) {
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const items = useMemo(() => searchPalette(query).slice(0, 8), [query]);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  return (
    <div className="quick-add" style={{ left: x, top: y }} role="dialog" aria-label="Quick add node">
      <input
        ref={input}
        aria-label="Quick add search"
        placeholder="Add node…"
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === "Escape") onClose();
          else if (e.key === "ArrowDown") setActive((a) => Math.min(a + 1, items.length - 1));
          else if (e.key === "ArrowUp") setActive((a) => Math.max(a - 1, 0));
          else if (e.key === "Enter" && items[active]) onPick(items[active].kind);
          e.stopPropagation();
        }}
        onBlur={() => setTimeout(onClose, 150)}
      />
      <ul role="listbox" aria-label="Matching nodes">
        {items.map((it, i) => (
          <li
            key={it.kind}
            role="option"
            aria-selected={i === active}
            className={i === active ? "active" : ""}
            onMouseDown={(e) => {
              e.preventDefault();
              onPick(it.kind);
            }}
          >
            <strong>{it.label}</strong> <span className="muted">{it.description.slice(0, 60)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
