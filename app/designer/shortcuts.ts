"use client";
// Designer keyboard shortcuts (listed in the help dialog from the same table).
import { useEffect } from "react";
import { readClipboard, writeClipboard } from "./clipboard";
import { useDesignerStore } from "./context";

export const SHORTCUTS: ReadonlyArray<{ keys: string; action: string }> = [
  { keys: "Ctrl+Z", action: "Undo" },
  { keys: "Ctrl+Shift+Z / Ctrl+Y", action: "Redo" },
  { keys: "Ctrl+C", action: "Copy selected nodes" },
  { keys: "Ctrl+V", action: "Paste (works across flows and tabs)" },
  { keys: "Ctrl+D", action: "Duplicate selected nodes" },
  { keys: "Ctrl+A", action: "Select all nodes" },
  { keys: "Delete / Backspace", action: "Delete selected nodes and edges" },
  { keys: "Shift+drag", action: "Box-select nodes" },
  { keys: "Ctrl+click", action: "Add a node to the selection" },
  { keys: "Double-click canvas", action: "Quick-add a node" },
  { keys: "Ctrl+S", action: "Save now" },
  { keys: "L", action: "Auto-layout" },
  { keys: "F", action: "Fit view" },
  { keys: "?", action: "Show this help" },
  { keys: "Esc", action: "Close dialogs, clear selection" },
];

/** True when the key belongs to a text field or a code editor, not the canvas. */
function typingInField(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  if (!el || !el.closest) return false;
  return !!el.closest("input, textarea, select, [contenteditable=true], .monaco-editor");
}

export interface ShortcutActions {
  openHelp: () => void;
  closeDialogs: () => void;
  layout: () => void;
  saveNow: () => void;
  fit: () => void;
}

export function useShortcuts(actions: ShortcutActions): void {
  const store = useDesignerStore();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        actions.closeDialogs();
        if (!typingInField(e.target)) store.getState().selectOnly([]);
        return;
      }
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key.toLowerCase() === "s") {
        e.preventDefault();
        actions.saveNow();
        return;
      }
      if (typingInField(e.target)) return;
      const s = store.getState();
      const key = e.key.toLowerCase();
      if (mod && key === "z" && !e.shiftKey) s.undo();
      else if (mod && ((key === "z" && e.shiftKey) || key === "y")) s.redo();
      else if (mod && key === "c") {
        const p = s.copySelection();
        if (p) writeClipboard(p);
      } else if (mod && key === "v") {
        const p = readClipboard();
        if (p) s.paste(p);
      } else if (mod && key === "d") {
        const p = s.copySelection();
        if (p) s.paste(p);
      } else if (mod && key === "a") s.selectOnly(s.nodes.map((n) => n.id));
      else if (!mod && (e.key === "Delete" || e.key === "Backspace")) s.deleteSelection();
      else if (!mod && e.key === "?") actions.openHelp();
      else if (!mod && key === "l") actions.layout();
      else if (!mod && key === "f") actions.fit();
      else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [store, actions]);
}
