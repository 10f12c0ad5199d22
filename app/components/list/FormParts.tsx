"use client";
// Pieces the list pages' edit forms share: a checkbox field and the Cancel / submit footer.

export function CheckField({ label, checked, onChange }: { label: string; checked: boolean; onChange: (checked: boolean) => void }) {
  return (
    <div className="field field-check">
      <label>
        <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} /> {label}
      </label>
    </div>
  );
}

export function FormActions({ submitText, onCancel }: { submitText: string; onCancel: () => void }) {
  return (
    <footer className="dialog-actions">
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
      <button type="submit" className="primary">
        {submitText}
      </button>
    </footer>
  );
}
