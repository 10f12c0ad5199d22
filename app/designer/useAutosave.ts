"use client";
// Saves the draft ~1 s after the last change with PUT /api/flows/:id { graph, baseRevision }.
// On 409 the store goes to "conflict" and nothing is saved again until the page reloads:
// someone else's newer revision is never overwritten.
import { useCallback, useEffect, useRef } from "react";
import { api, ApiError, type FlowDetail } from "../lib/client/api";
import { useDesignerStore } from "./context";

export const AUTOSAVE_DEBOUNCE_MS = 1000;

export function useAutosave(): { saveNow: () => Promise<boolean> } {
  const store = useDesignerStore();
  const inFlight = useRef<Promise<boolean> | null>(null);

  const saveOnce = useCallback(async (): Promise<boolean> => {
    const s = store.getState();
    if (s.readOnly || s.saveStatus === "conflict") return false;
    const docVersion = s.docVersion;
    s.markSaving();
    try {
      const { flow } = await api<{ flow: FlowDetail }>("PUT", `/api/flows/${encodeURIComponent(s.flowId)}`, {
        graph: s.graph(),
        baseRevision: s.revision,
        name: s.name,
      });
      store.getState().markSaved(flow.revision, docVersion);
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        store.getState().markConflict(e.message);
      } else {
        store.getState().markSaveError(e instanceof Error ? e.message : String(e));
      }
      return false;
    }
  }, [store]);

  /** Save now (waiting for a save in flight first); true when the draft on the server is current. */
  const saveNow = useCallback(async (): Promise<boolean> => {
    while (inFlight.current) await inFlight.current;
    const s = store.getState();
    if (s.saveStatus === "saved") return true;
    if (s.saveStatus === "conflict") return false;
    const p = saveOnce();
    inFlight.current = p;
    try {
      return await p;
    } finally {
      inFlight.current = null;
    }
  }, [store, saveOnce]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        await saveNow();
        // Changes made while the request was in flight get their own save.
        if (store.getState().saveStatus === "unsaved") schedule();
      }, AUTOSAVE_DEBOUNCE_MS);
    };
    const unsubscribe = store.subscribe((s, prev) => {
      if (s.docVersion !== prev.docVersion && s.saveStatus !== "conflict") schedule();
    });
    const beforeUnload = (ev: BeforeUnloadEvent) => {
      const st = store.getState().saveStatus;
      if (st === "unsaved" || st === "saving") ev.preventDefault();
    };
    window.addEventListener("beforeunload", beforeUnload);
    return () => {
      clearTimeout(timer);
      unsubscribe();
      window.removeEventListener("beforeunload", beforeUnload);
    };
  }, [store, saveNow]);

  return { saveNow };
}
