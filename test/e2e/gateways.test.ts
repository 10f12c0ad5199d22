// End to end in Chromium: an admin adds a gateway and a SIP user on the Gateways page (the
// password is never shown again, editing leaves it unchanged), the runtime reports the gateway
// up, and a Bridge node's dial string offers user/1000 and sofia/gateway/carrier/ while a gateway
// the server does not have is a warning in Problems (IVR1031). The app is the real server.mjs.
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { unavailableReason, type RunningApp } from "../../fixtures/designer-app";
import { ARTIFACTS, withDesignerApp } from "./harness";

const skipReason = unavailableReason();
const SECRET = "trunk-secret-4242";

describe.skipIf(!!skipReason)("gateways and SIP users end to end", () => {
  const e2e = withDesignerApp({ env: { IVR_RTP_PORTS: "45700-45749" }, timeout: 20_000 });
  let app: RunningApp;
  let page: Page;
  beforeAll(() => {
    ({ app, page } = e2e);
  });

  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `e2e-gateways-${name}.png`) });

  it("an admin adds a gateway and a SIP user; the password is never shown again", async () => {
    await page.goto(`${app.url}/`);
    await page.waitForURL(/\/login/);
    await page.getByLabel("Email").fill("admin@example.com");
    await page.getByLabel("Name").fill("Ada Admin");
    await page.getByLabel("Password").fill("correct horse battery staple");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Flows" }).waitFor();

    await page.getByRole("link", { name: "Gateways" }).click();
    await page.getByRole("heading", { name: "Gateways & SIP users" }).waitFor();
    await page.getByRole("button", { name: "New gateway" }).click();
    const form = page.getByRole("form", { name: "New gateway" });
    await form.getByLabel("Name", { exact: true }).fill("carrier");
    await form.getByLabel("Host", { exact: true }).fill("127.0.0.1");
    await form.getByLabel("Port", { exact: true }).fill("9");
    await form.getByLabel("Username", { exact: true }).fill("acct");
    await form.getByLabel("Password", { exact: true }).fill(SECRET);
    await form.getByLabel("Allowed numbers", { exact: true }).fill("2XXX, 1NXXNXXXXXX");
    await form.getByRole("button", { name: "Create gateway" }).click();
    const row = page.getByRole("table", { name: "Gateways" }).getByRole("row", { name: /carrier/ });
    await row.waitFor();
    expect(await row.textContent()).toContain("password set");
    expect(await row.textContent()).toContain("2XXX, 1NXXNXXXXXX");
    // The runtime thread reports the gateway (no register, no ping: up).
    await page.getByLabel("State of carrier").filter({ hasText: "up" }).waitFor({ timeout: 15_000 });

    await page.getByRole("button", { name: "Edit gateway carrier" }).click();
    const edit = page.getByRole("form", { name: "Edit gateway" });
    expect(await edit.getByLabel("Password", { exact: true }).inputValue()).toBe("");
    expect(await edit.getByLabel("Password", { exact: true }).getAttribute("placeholder")).toMatch(/^set/);
    await edit.getByLabel("Calls up at once (0: global limit only)", { exact: true }).fill("3");
    await edit.getByRole("button", { name: "Save gateway" }).click();
    await page.getByRole("status").filter({ hasText: "Gateway carrier saved." }).waitFor();

    await page.getByRole("button", { name: "New SIP user" }).click();
    const user = page.getByRole("form", { name: "New SIP user" });
    await user.getByLabel("Number", { exact: true }).fill("1000");
    await user.getByLabel("Name", { exact: true }).fill("Front desk");
    await user.getByLabel("Password", { exact: true }).fill("desk-secret-1000");
    await user.getByRole("button", { name: "Create SIP user" }).click();
    await page.getByRole("table", { name: "SIP users" }).getByRole("row", { name: /Front desk/ }).waitFor();
    expect(await page.content()).not.toContain(SECRET);
    expect(await page.content()).not.toContain("desk-secret-1000");
    const stored = await page.evaluate(async () => (await fetch("/api/gateways")).text());
    expect(stored).not.toContain(SECRET);
    await shot("01-page");
  });

  it("the Bridge dial string offers the server's users and gateways; an unknown gateway is a warning", async () => {
    const created = await page.evaluate(async () => {
      const graph = {
        schemaVersion: 1,
        name: "Operator",
        nodes: [
          { id: "start", kind: "start", position: { x: 0, y: 0 }, params: {} },
          { id: "op", kind: "bridge", position: { x: 0, y: 150 }, params: { dialString: "user/1000" } },
        ],
        edges: [{ id: "e:start:next", source: "start", outcome: "next", target: "op" }],
      };
      const r = await fetch("/api/flows", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "Operator", graph }) });
      return (await r.json()) as { flow: { id: string } };
    });
    await page.goto(`${app.url}/flows/${created.flow.id}`);
    await page.locator('.react-flow__node[data-id="op"]').click();
    const dial = page.getByLabel("Dial string", { exact: true });
    await dial.waitFor();
    const listId = await dial.getAttribute("list");
    // The choices arrive from the API after the form renders (slower on a busy machine).
    const options = () => page.locator(`datalist[id="${listId}"] option`).evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    await expect.poll(options, { timeout: 10_000 }).toEqual(["user/1000", "sofia/gateway/carrier/"]);

    await dial.fill("sofia/gateway/nowhere/2000");
    await page.getByRole("tab", { name: /Problems/ }).click();
    await page.locator(".diagnostics button", { hasText: 'the gateway "nowhere" is not configured' }).waitFor();
    await page.getByRole("tab", { name: "Properties" }).click();
    await dial.fill("sofia/gateway/carrier/2000");
    await page.getByRole("tab", { name: /Problems/ }).click();
    await page.locator(".diagnostics button", { hasText: 'the gateway "nowhere"' }).waitFor({ state: "detached" });
    await shot("02-bridge");
  });
});
