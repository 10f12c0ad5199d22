"use client";
// Select a node and bring it to the centre of the canvas (validation panel, code view).
import { useReactFlow } from "@xyflow/react";
import { useCallback } from "react";
import { useDesignerStore } from "./context";

export function useFocusNode(): (id: string) => void {
  const rf = useReactFlow();
  const store = useDesignerStore();
  return useCallback(
    (id: string) => {
      const node = rf.getNode(id);
      if (!node) return;
      store.getState().selectOnly([id]);
      const w = node.measured?.width ?? 200;
      const h = node.measured?.height ?? 80;
      rf.setCenter(node.position.x + w / 2, node.position.y + h / 2, { zoom: Math.max(rf.getZoom(), 0.8), duration: 250 });
    },
    [rf, store],
  );
}
