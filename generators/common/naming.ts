// Legal identifiers for generated code: one function for both languages. Names are all
// assigned before anything is emitted, so collisions resolve the same way every time.
export type Lang = "lua" | "ts";

/** Lua 5.2+ keywords (goto included), plus globals a FreeSWITCH script must not shadow. */
export const LUA_RESERVED: ReadonlySet<string> = new Set([
  "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in", "local", "nil",
  "not", "or", "repeat", "return", "then", "true", "until", "while",
  "session", "freeswitch", "argv", "stream", "env", "event", "_G", "_ENV", "self",
  "N", "current",
]);

/** TypeScript/JavaScript reserved words, strict-mode words, and the names our scripts import or declare. */
export const TS_RESERVED: ReadonlySet<string> = new Set([
  "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "enum",
  "export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof", "new", "null",
  "return", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with",
  "as", "implements", "interface", "let", "package", "private", "protected", "public", "static", "yield",
  "any", "boolean", "constructor", "declare", "get", "module", "require", "number", "set", "string", "symbol",
  "type", "from", "of", "async", "await", "undefined", "NaN", "Infinity", "arguments", "eval",
  "Session", "DtmfInput", "main", "session", "argv", "N", "current", "__proto__", "prototype",
]);

/** One naming scope: the names taken so far (and the reserved ones). */
export class Namespace {
  private readonly taken = new Set<string>();
  constructor(readonly lang: Lang) {}
  has(name: string): boolean {
    return this.taken.has(name);
  }
  claim(name: string): void {
    this.taken.add(name);
  }
}

/**
 * A legal, unused identifier for `raw` in `scope`: illegal characters become `_`,
 * a leading digit gets an `n_` prefix, a keyword gets a trailing `_`, and a collision
 * gets `_2`, `_3`... The name is claimed in the scope.
 */
export function legalName(raw: string, lang: Lang, scope: Namespace): string {
  let base = raw.replace(/[^A-Za-z0-9_]+/g, "_");
  if (base === "" || /^_*$/.test(base)) base = `node${base}`;
  if (/^[0-9]/.test(base)) base = `n_${base}`;
  const reserved = lang === "lua" ? LUA_RESERVED : TS_RESERVED;
  if (reserved.has(base)) base = `${base}_`;
  let name = base;
  for (let i = 2; scope.has(name) || reserved.has(name); i++) name = `${base}_${i}`;
  scope.claim(name);
  return name;
}

/** Legal, collision-free names for every node id of a script, assigned before printing. */
export function nodeNames(ids: readonly string[], lang: Lang): (id: string) => string {
  const scope = new Namespace(lang);
  const names = new Map(ids.map((id) => [id, legalName(id, lang, scope)] as const));
  return (id) => {
    const name = names.get(id);
    if (name === undefined) throw new Error(`internal: unknown node ${id}`);
    return name;
  };
}
