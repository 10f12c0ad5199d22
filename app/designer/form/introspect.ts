// Reading zod schemas for the generic form: unwrap defaults/optionals, find the base
// type, the object shape, list element, enum options, and a starting value.
import type { z } from "zod";
import { uiHintOf, type UiHint } from "../../../flow/catalog";

type AnyDef = { type: string; innerType?: z.ZodType; element?: z.ZodType; defaultValue?: unknown; shape?: Record<string, z.ZodType> };
const defOf = (s: z.ZodType) => (s as unknown as { def: AnyDef }).def;

/** The schema under default/optional/nullable/readonly wrappers. */
export function baseOf(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let i = 0; i < 8; i++) {
    const d = defOf(s);
    if (["default", "optional", "nullable", "readonly", "prefault", "catch"].includes(d.type) && d.innerType) s = d.innerType;
    else break;
  }
  return s;
}

export const typeOf = (schema: z.ZodType): string => defOf(baseOf(schema)).type;

export function shapeOf(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  const b = baseOf(schema) as unknown as { shape?: Record<string, z.ZodType> };
  return typeOf(schema) === "object" ? b.shape : undefined;
}

export function elementOf(schema: z.ZodType): z.ZodType | undefined {
  return typeOf(schema) === "array" ? defOf(baseOf(schema)).element : undefined;
}

export function enumOptions(schema: z.ZodType): string[] | undefined {
  const b = baseOf(schema) as unknown as { options?: unknown[] };
  return typeOf(schema) === "enum" && Array.isArray(b.options) ? b.options.map(String) : undefined;
}

/** The value a new item/field starts with: the schema default, else an empty value of its type. */
export function initialValue(schema: z.ZodType): unknown {
  const r = schema.safeParse(undefined);
  if (r.success && r.data !== undefined) return r.data;
  switch (typeOf(schema)) {
    case "string":
      return "";
    case "number":
      return 0;
    case "boolean":
      return false;
    case "array":
      return [];
    case "enum":
      return enumOptions(schema)?.[0] ?? "";
    case "object": {
      const shape = shapeOf(schema) ?? {};
      return Object.fromEntries(Object.entries(shape).map(([k, s]) => [k, initialValue(s)]));
    }
    default:
      return undefined;
  }
}

/** The UI hint of a field, or one inferred from its type when the catalog gave none. */
export function hintOf(schema: z.ZodType, key: string): UiHint {
  const hint = uiHintOf(schema);
  if (hint) return hint;
  const label = key.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/^./, (c) => c.toUpperCase());
  switch (typeOf(schema)) {
    case "number":
      return { widget: "number", label };
    case "boolean":
      return { widget: "boolean", label };
    case "enum":
      return { widget: "select", label, options: enumOptions(schema) };
    case "array":
      return { widget: "list", label };
    default:
      return { widget: "text", label };
  }
}
