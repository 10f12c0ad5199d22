// Walking a kind's zod params schema: the UI label of a parameter path, and the paths
// of every parameter with a given widget (so rules derive from the catalog's hints).
import type { z } from "zod";
import { uiHintOf, type UiHint, type Widget } from "../catalog/spec";

interface Def {
  type?: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  in?: z.ZodType;
}
const defOf = (s: z.ZodType): Def => (s as unknown as { def?: Def }).def ?? {};

/** Look through default/optional/nullable/pipe wrappers to the schema that holds the value. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let i = 0; i < 8; i++) {
    const d = defOf(s);
    const inner = d.innerType ?? (d.type === "pipe" ? d.in : undefined);
    if (!inner) return s;
    s = inner;
  }
  return s;
}

function child(schema: z.ZodType, key: string | number): z.ZodType | undefined {
  const d = defOf(unwrap(schema));
  if (d.type === "object" && typeof key === "string") return d.shape?.[key];
  if (d.type === "array") return d.element;
  return undefined;
}

/** "choices.1.key" of menu → "Choices #2 › Digits or pattern". */
export function paramWords(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string {
  const words: string[] = [];
  let s: z.ZodType | undefined = schema;
  for (const seg of path) {
    const key = typeof seg === "number" ? seg : String(seg);
    const isIndex = typeof key === "number" || /^\d+$/.test(key);
    const next: z.ZodType | undefined = s ? child(s, isIndex ? Number(key) : key) : undefined;
    if (isIndex) {
      const n = Number(key) + 1;
      if (words.length) words[words.length - 1] += ` #${n}`;
      else words.push(`item #${n}`);
    } else {
      words.push(next ? (uiHintOf(next)?.label ?? String(key)) : String(key));
    }
    s = next;
  }
  return words.join(" › ") || "the parameters";
}

/** The param path as stored on a diagnostic ("choices.1.key"). */
export const pathString = (path: ReadonlyArray<PropertyKey>) => path.map(String).join(".");

/** Paths (with "*" for list items) of every parameter drawn with `widget`. */
export function widgetPaths(schema: z.ZodType, widget: Widget): string[][] {
  return hintPaths(schema, (h) => h.widget === widget);
}

/** Paths (with "*" for list items) of every parameter whose UI hint passes `test`. */
export function hintPaths(schema: z.ZodType, test: (hint: UiHint) => boolean): string[][] {
  const found: string[][] = [];
  const visit = (s: z.ZodType, path: string[], depth: number) => {
    if (depth > 6) return;
    const hint = path.length ? uiHintOf(s) : undefined;
    if (hint && test(hint)) found.push(path);
    const d = defOf(unwrap(s));
    if (d.type === "object" && d.shape) {
      for (const [k, v] of Object.entries(d.shape)) visit(v, [...path, k], depth + 1);
    } else if (d.type === "array" && d.element) {
      visit(d.element, [...path, "*"], depth + 1);
    }
  };
  visit(schema, [], 0);
  return found;
}

/** The values at a path pattern ("*" = every list item), with their concrete paths. */
export function valuesAt(value: unknown, pattern: readonly string[]): Array<{ path: string[]; value: unknown }> {
  let acc: Array<{ path: string[]; value: unknown }> = [{ path: [], value }];
  for (const seg of pattern) {
    const next: typeof acc = [];
    for (const { path, value: v } of acc) {
      if (seg === "*") {
        if (Array.isArray(v)) v.forEach((item, i) => next.push({ path: [...path, String(i)], value: item }));
      } else if (v && typeof v === "object" && !Array.isArray(v)) {
        next.push({ path: [...path, seg], value: (v as Record<string, unknown>)[seg] });
      }
    }
    acc = next;
  }
  return acc;
}
