// FreeSWITCH modules a generated Lua script needs, from what the flow uses.
import type { FlowGraph } from "../../flow";
import { MODULES_FOR } from "../lua/binding";

export function modulesFor(flow: FlowGraph): string[] {
  const mods = new Set<string>(MODULES_FOR.always);
  for (const node of flow.nodes) {
    if (node.kind === "http_request") MODULES_FOR.curl.forEach((m) => mods.add(m));
    if (node.kind === "speak") MODULES_FOR.speak.forEach((m) => mods.add(m));
    if (node.kind === "say") {
      const lang = typeof node.params.language === "string" && /^[a-z]{2,3}$/.test(node.params.language)
        ? node.params.language
        : "en";
      mods.add(`mod_say_${lang}`);
    }
  }
  return [...mods];
}
