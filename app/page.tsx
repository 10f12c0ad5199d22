// Flows list. The example templates are whatever examples/*.json holds right now.
import { readdir } from "node:fs/promises";
import path from "node:path";
import { FlowsPage } from "./components/FlowsPage";

export const dynamic = "force-dynamic";

async function exampleTemplates(): Promise<string[]> {
  try {
    const files = await readdir(path.join(process.cwd(), "examples"));
    return files.filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -".json".length)).sort();
  } catch {
    return [];
  }
}

export default async function Home() {
  return <FlowsPage templates={await exampleTemplates()} />;
}
