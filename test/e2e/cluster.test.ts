// End to end in Chromium: the Cluster page lists the runtime of the server (npm start's runtime
// writes a heartbeat too) with its address and state, and an admin drains it from there: the flag
// reaches the runtime at its next heartbeat, the page shows it draining, and the runtime answers
// SIP OPTIONS 503 (what takes it out of Kamailio's set). The app is the real server.mjs.
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { sipOptions, waitFor } from "../../fixtures/cluster";
import { unavailableReason, type RunningApp } from "../../fixtures/designer-app";
import { ARTIFACTS, withDesignerApp } from "./harness";

const skipReason = unavailableReason();

describe.skipIf(!!skipReason)("the Cluster page", () => {
  const e2e = withDesignerApp({ env: { IVR_RTP_PORTS: "45800-45849" }, timeout: 20_000 });
  let app: RunningApp;
  let page: Page;
  beforeAll(() => {
    ({ app, page } = e2e);
  });

  it("shows the runtime up with its address; an admin drains it and it answers OPTIONS 503", async () => {
    // The runtime starts once the web server listens.
    const sipPort = Number(await waitFor("the runtime's SIP port", () => /SIP: udp 127\.0\.0\.1:(\d+)/.exec(app.log())?.[1], 60_000));
    expect(sipPort).toBeGreaterThan(0);
    expect(await sipOptions(sipPort)).toBe(200);

    await page.goto(`${app.url}/`);
    await page.waitForURL(/\/login/);
    await page.getByLabel("Email").fill("admin@example.com");
    await page.getByLabel("Name").fill("Ada Admin");
    await page.getByLabel("Password").fill("correct horse battery staple");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Flows" }).waitFor();

    await page.getByRole("link", { name: "Cluster" }).click();
    await page.getByRole("heading", { name: "Cluster" }).waitFor();
    const row = page.getByRole("table", { name: "Runtimes" }).getByRole("row", { name: new RegExp(`127\\.0\\.0\\.1:${sipPort}`) });
    await row.waitFor();
    await row.getByRole("cell", { name: "up", exact: true }).waitFor();
    await page.getByLabel("Cluster summary").filter({ hasText: "1 of 1 runtime(s) up" }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, "e2e-cluster-01-up.png") });

    await row.getByRole("button", { name: /^Drain runtime / }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Drain" }).click();
    await page.getByRole("status").filter({ hasText: "will drain at its next heartbeat" }).waitFor();
    await row.getByRole("cell", { name: "draining", exact: true }).waitFor({ timeout: 15_000 });
    expect(await sipOptions(sipPort)).toBe(503);
    await page.screenshot({ path: path.join(ARTIFACTS, "e2e-cluster-02-draining.png") });
  });
});
