"use client";
// The small searchable popup opened by double-clicking the canvas. Kinds the flow may hold
// only once (the catalog's entry kind, Start) are not offered when the flow already has one.
import { useEffect, useMemo, useRef, useState } from "react";
import { useDesigner } from "./context";
import { clipAtWord, kindsAtTheirLimit, searchPalette } from "./palette-items";

/** Characters of a kind's description shown in a row; the whole text is its tooltip. */
const DESCRIPTION_CHARS = 60;

export interface QuickAddProps {
  x: number;
  y: number;
  onPick: (kind: string) => void;
  onClose: () => void;
}

export function QuickAdd({ x, y, onPick, onClose }: QuickAddProps) {
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const nodes = useDesigner((s) => s.nodes);
  const full = useMemo(() => kindsAtTheirLimit(nodes.map((n) => n.data.kind)), [nodes]);
  const matches = useMemo(() => searchPalette(query), [query]);
  const items = useMemo(() => matches.filter((it) => !full.has(it.kind)).slice(0, 8), [matches, full]);
  // Typed for explicitly (e.g. "start"): say why it is missing rather than show nothing.
  const held = query.trim() ? matches.filter((it) => full.has(it.kind)) : [];
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
            title={it.description}
            onMouseDown={(e) => {
              e.preventDefault();
              onPick(it.kind);
            }}
          >
            <strong>{it.label}</strong> <span className="muted">{clipAtWord(it.description, DESCRIPTION_CHARS)}</span>
          </li>
        ))}
      </ul>
      {held.map((it) => (
        <p key={it.kind} className="muted quick-add-note">
          {it.label}: this flow already has one, and a flow has only one.
        </p>
      ))}
    </div>
  );
}
