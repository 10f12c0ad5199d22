"use client";
// "Delete X?" before a destructive action: the question, Cancel, and the action's button.
import type { ReactNode } from "react";
import { Dialog } from "../Dialog";

export function ConfirmDialog({ title, children, confirmText = "Delete", onConfirm, onCancel }: {
  title: string;
  children: ReactNode;
  confirmText?: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <Dialog title={title} onClose={onCancel}>
      {children}
      <footer className="dialog-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="danger" onClick={onConfirm}>
          {confirmText}
        </button>
      </footer>
    </Dialog>
  );
}
