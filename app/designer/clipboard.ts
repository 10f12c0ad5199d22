// Copy/paste across tabs and flows: the payload goes to localStorage (always readable
// without a permission prompt) and, best effort, to the system clipboard as JSON.
import type { ClipboardPayload } from "./store";

const KEY = "ivr-studio:clipboard";

export function writeClipboard(payload: ClipboardPayload): void {
  const text = JSON.stringify(payload);
  try {
    localStorage.setItem(KEY, text);
  } catch {
    /* storage full or disabled: the system clipboard may still work */
  }
  navigator.clipboard?.writeText(text).catch(() => undefined);
}

export function parseClipboard(text: string | null | undefined): ClipboardPayload | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as ClipboardPayload;
    return v && v.type === "ivr-studio/nodes" && Array.isArray(v.nodes) ? v : null;
  } catch {
    return null;
  }
}

export function readClipboard(): ClipboardPayload | null {
  try {
    return parseClipboard(localStorage.getItem(KEY));
  } catch {
    return null;
  }
}
