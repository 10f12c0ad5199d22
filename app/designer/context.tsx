"use client";
// One designer store per mounted editor, handed down by context.
import { createContext, useContext, useState, type ReactNode } from "react";
import { useStore } from "zustand";
import { createDesignerStore, type DesignerInit, type DesignerState, type DesignerStore } from "./store";

const DesignerContext = createContext<DesignerStore | null>(null);

export function DesignerProvider({ init, children }: { init: DesignerInit; children: ReactNode }) {
  const [store] = useState(() => createDesignerStore(init));
  return <DesignerContext.Provider value={store}>{children}</DesignerContext.Provider>;
}

export function useDesignerStore(): DesignerStore {
  const store = useContext(DesignerContext);
  if (!store) throw new Error("useDesigner must be used inside <DesignerProvider>");
  return store;
}

export function useDesigner<T>(selector: (s: DesignerState) => T): T {
  return useStore(useDesignerStore(), selector);
}
