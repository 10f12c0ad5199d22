/** File-name slug of a flow name: lowercase ASCII letters, digits and `_`; never empty. */
export function slugOf(name: string): string {
  const s = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 60);
  return s === "" ? "ivr_flow" : /^[0-9]/.test(s) ? `ivr_${s}` : s;
}
