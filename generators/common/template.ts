// ${name} templates: text parameters marked `template: true` in the catalog are
// expanded at run time from channel variables. Only ${name} with a plain variable name
// is expanded; anything else ($${global}, ${expr...}, a lone $) stays literal text.
export type TemplatePart = { kind: "text"; text: string } | { kind: "var"; name: string };

const VAR_AT = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}/;

export function parseTemplate(s: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = "";
  let i = 0;
  while (i < s.length) {
    if (s[i] === "$" && s[i + 1] === "$" && s[i + 2] === "{") {
      // $${name}: a FreeSWITCH global, expanded when the config loads, never here.
      const close = s.indexOf("}", i + 3);
      const end = close < 0 ? s.length : close + 1;
      text += s.slice(i, end);
      i = end;
      continue;
    }
    const m = s[i] === "$" ? VAR_AT.exec(s.slice(i)) : null;
    if (m) {
      if (text) parts.push({ kind: "text", text });
      text = "";
      parts.push({ kind: "var", name: m[1] });
      i += m[0].length;
      continue;
    }
    text += s[i];
    i++;
  }
  if (text || parts.length === 0) parts.push({ kind: "text", text });
  return parts;
}
