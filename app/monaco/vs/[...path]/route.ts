// Serves Monaco's AMD build straight from the installed monaco-editor package (no CDN, no
// copy in public/): @monaco-editor/react loads /monaco/vs/loader.js and the files it names.
import { readFile } from "node:fs/promises";
import path from "node:path";

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".ttf": "font/ttf",
  ".json": "application/json",
};

const MONACO_VS = path.join(process.cwd(), "node_modules", "monaco-editor", "min", "vs");

export async function GET(_req: Request, ctx: { params: Promise<{ path: string[] }> }): Promise<Response> {
  const segments = (await ctx.params).path ?? [];
  const type = CONTENT_TYPES[path.extname(segments[segments.length - 1] ?? "")];
  if (!type || segments.some((s) => s === ".." || s.includes("/") || s.includes("\\") || s.startsWith("."))) {
    return new Response("Not found", { status: 404 });
  }
  const file = path.join(MONACO_VS, ...segments);
  if (!file.startsWith(MONACO_VS + path.sep)) return new Response("Not found", { status: 404 });
  try {
    const body = await readFile(file);
    return new Response(new Uint8Array(body), {
      headers: { "content-type": type, "cache-control": "public, max-age=31536000, immutable" },
    });
  } catch {
    return new Response("Not found", { status: 404 });
  }
}
