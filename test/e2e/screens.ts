// Screenshots of every page with realistic content, for a visual check (not a test):
//   npx tsx test/e2e/screens.ts   -> test-artifacts/screen-*.png
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { ensureBuilt, launchBrowser, ROOT, startApp } from "../../fixtures/designer-app";

const OUT = path.join(ROOT, "test-artifacts");
mkdirSync(OUT, { recursive: true });
ensureBuilt();
const app = await startApp();
const browser = await launchBrowser();
try {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(20_000);
  const shot = (name: string) => page.screenshot({ path: path.join(OUT, `screen-${name}.png`) });
  const post = async (url: string, data: unknown) => {
    const r = await page.request.post(`${app.url}${url}`, { headers: { origin: app.url }, data });
    if (!r.ok()) throw new Error(`${url}: ${r.status()} ${await r.text()}`);
    return r.json();
  };
  await page.goto(`${app.url}/login`);
  await page.getByLabel("Email").waitFor();
  await shot("01-setup");
  await post("/api/auth/setup", { email: "ada@example.com", name: "Ada Admin", password: "correct horse battery staple" });
  const graph = JSON.parse(readFileSync(path.join(ROOT, "examples/main-menu.json"), "utf8"));
  const { flow } = (await post("/api/flows/import", { graph })) as { flow: { id: string } };
  for (const ex of ["business-hours", "voicemail"]) {
    await post("/api/flows/import", { graph: JSON.parse(readFileSync(path.join(ROOT, `examples/${ex}.json`), "utf8")) });
  }
  await post(`/api/flows/${flow.id}/publish`, { note: "First release", publishAnyway: true });
  await post("/api/routes", { pattern: "5551000", flowId: flow.id });
  await post("/api/routes", { pattern: "^55520\\d\\d$", flowId: flow.id, description: "Support block" });

  await page.goto(`${app.url}/`);
  await page.locator('table[aria-label="Flows"] tbody tr').first().waitFor();
  await shot("02-flows");

  await page.goto(`${app.url}/flows/${flow.id}`);
  await page.locator(".react-flow__node").first().waitFor();
  await page.waitForTimeout(800);
  await shot("03-editor");
  await page.locator('.react-flow__node[data-id="main_menu"]').click();
  await page.waitForTimeout(300);
  await shot("04-node-form");
  // An invalid edit: empty the prompt.
  await page.getByLabel("Prompt", { exact: true }).fill("");
  await page.getByRole("tab", { name: /Problems/ }).click();
  await page.locator(".diagnostics li").first().waitFor();
  await shot("05-problems");
  await page.getByRole("tab", { name: "Properties" }).click();
  await page.getByLabel("Prompt", { exact: true }).fill("prompts/acme/main_menu_v2.wav");
  await page.getByRole("tab", { name: "Code" }).click();
  await page.locator(".monaco-editor .view-lines").waitFor();
  await page.waitForTimeout(600);
  await shot("06-code");
  await page.locator(".save-status", { hasText: /^Saved$/ }).waitFor();

  await page.goto(`${app.url}/flows/${flow.id}/versions`);
  await page.getByRole("button", { name: "Show changes in version 1" }).click();
  await page.getByLabel("Compare with").selectOption("draft");
  await page.locator(".changes li").first().waitFor();
  await shot("07-versions-diff");

  await page.goto(`${app.url}/routes`);
  await page.locator('table[aria-label="Routes"] tbody tr').first().waitFor();
  await shot("08-routes");

  await page.goto(`${app.url}/admin`);
  await page.locator('table[aria-label="Users"]').waitFor();
  await shot("09-admin");

  await browser.context.clearCookies();
  await page.goto(`${app.url}/login`);
  await page.getByRole("button", { name: "Sign in" }).waitFor();
  await shot("10-login");
  console.log("screenshots in", OUT);
} finally {
  await browser.close();
  await app.stop();
}
