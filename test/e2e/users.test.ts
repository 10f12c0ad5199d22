// End to end in Chromium against the built app (server.mjs): the first admin is created from
// localhost without a setup token (the field is not even shown), then on Users & settings an
// admin changes a user's role and deletes a user; the server's refusal to demote the last admin
// is shown; the audit log page lists what was done; a one-time reset link and a temporary
// password each end with the user choosing their own password.
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { unavailableReason, type RunningApp } from "../../fixtures/designer-app";
import { ARTIFACTS, withDesignerApp } from "./harness";

const skipReason = unavailableReason();
if (skipReason) console.warn(`[e2e users] skipped: ${skipReason}`);

describe.skipIf(!!skipReason)("users and access end to end", () => {
  // No calls here: no SIP port, no starter sounds.
  const e2e = withDesignerApp({ env: { IVR_RUNTIME: "off", IVR_STARTER_SOUNDS: "0" } });
  let app: RunningApp;
  let page: Page;
  beforeAll(() => {
    ({ app, page } = e2e);
  });

  /** fetch from the page: same origin, the session cookie. */
  const apiCall = (method: string, url: string, body?: unknown) =>
    page.evaluate(
      async ([m, u, b]) => {
        const r = await fetch(u as string, { method: m as string, headers: { "content-type": "application/json" }, body: b === undefined ? undefined : JSON.stringify(b) });
        return { status: r.status, body: await r.json().catch(() => null) };
      },
      [method, url, body] as const,
    );
  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `e2e-users-${name}.png`), fullPage: true });
  const userRow = (email: string) => page.locator(`table[aria-label="Users"] tr[data-user="${email}"]`);

  it("sets up the first admin from localhost without a setup token field", async () => {
    await page.goto(`${app.url}/setup`);
    await page.getByRole("heading", { name: "Create the admin account" }).waitFor();
    await page.getByText("You are on the server itself, so no setup token is needed.").waitFor();
    expect(await page.getByLabel("Setup token").count()).toBe(0);
    await page.getByLabel("Email").fill("ada@example.com");
    await page.getByLabel("Name").fill("Ada Admin");
    await page.getByLabel("Password").fill("correct horse battery staple");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Flows" }).waitFor();
  });

  it("adds two users on the admin page", async () => {
    await page.goto(`${app.url}/admin`);
    const form = page.getByRole("form", { name: "Add a user" });
    for (const [email, name] of [
      ["ed@example.com", "Ed Editor"],
      ["gone@example.com", "Gone Soon"],
    ]) {
      await form.getByLabel("Email").fill(email);
      await form.getByLabel("Name").fill(name);
      await form.getByLabel("Initial password").fill("initial password 1");
      await form.getByLabel("Role").selectOption("editor");
      await form.getByRole("button", { name: "Add user" }).click();
      await userRow(email).waitFor();
    }
    const r = await apiCall("GET", "/api/users");
    expect(r.body.users.find((u: { email: string }) => u.email === "ed@example.com")).toMatchObject({ role: "editor", mustChangePassword: true });
  });

  it("changes a user's role", async () => {
    await userRow("ed@example.com").getByLabel("Role of ed@example.com").selectOption("viewer");
    await page.getByRole("status").filter({ hasText: "ed@example.com is now a viewer." }).waitFor();
    const r = await apiCall("GET", "/api/users");
    expect(r.body.users.find((u: { email: string }) => u.email === "ed@example.com").role).toBe("viewer");
    expect(await userRow("ed@example.com").getByLabel("Role of ed@example.com").inputValue()).toBe("viewer");
    await shot("01-role-changed");
  });

  it("shows the server's refusal to demote the last admin", async () => {
    await userRow("ada@example.com").getByLabel("Role of ada@example.com").selectOption("editor");
    await page.getByRole("alert").filter({ hasText: "last active admin" }).waitFor();
    await shot("02-last-admin");
    expect(await userRow("ada@example.com").getByLabel("Role of ada@example.com").inputValue()).toBe("admin");
    expect((await apiCall("GET", "/api/auth/status")).body.user.role).toBe("admin");
  });

  it("deletes a user after confirming", async () => {
    await userRow("gone@example.com").getByRole("button", { name: "Delete gone@example.com" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete gone@example.com" });
    await dialog.waitFor();
    await shot("03-delete-dialog");
    await dialog.getByRole("button", { name: "Delete user" }).click();
    await page.getByRole("status").filter({ hasText: "Deleted gone@example.com." }).waitFor();
    await userRow("gone@example.com").waitFor({ state: "detached" });
    const r = await apiCall("GET", "/api/users");
    expect(r.body.users.map((u: { email: string }) => u.email).sort()).toEqual(["ada@example.com", "ed@example.com"]);
  });

  it("lists those actions on the audit log page, filterable by action", async () => {
    await page.getByRole("link", { name: "Audit log" }).click();
    await page.getByRole("heading", { name: "Audit log" }).waitFor();
    const rows = page.locator('table[aria-label="Audit log"] tbody tr');
    await rows.first().waitFor();
    const actions = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-action")));
    expect(actions.slice(0, 5)).toEqual(["user.delete", "user.role_change", "user.create", "user.create", "auth.setup"]);
    await shot("04-audit");
    await page.getByLabel("Action").fill("user.role_change");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.locator('table[aria-label="Audit log"] tbody tr').nth(1).waitFor({ state: "detached" });
    const only = page.locator('table[aria-label="Audit log"] tbody tr');
    expect(await only.count()).toBe(1);
    expect(await only.first().textContent()).toContain("ed@example.com");
    expect(await only.first().textContent()).toContain('"to":"viewer"');
  });
  const signInAs = async (email: string, password: string) => {
    await page.context().clearCookies();
    await page.goto(`${app.url}/login`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
  };
  const resetDialogFor = async (email: string) => {
    await page.goto(`${app.url}/admin`);
    await userRow(email).getByRole("button", { name: "Reset password" }).click();
    return page.getByRole("dialog", { name: `Reset the password of ${email}` });
  };

  it("a one-time reset link lets the user choose a new password and signs them in", async () => {
    const dialog = await resetDialogFor("ed@example.com");
    await dialog.getByRole("button", { name: "Create link" }).click();
    const url = (await dialog.getByTestId("reset-link").textContent())!.trim();
    expect(url.startsWith(`${app.url}/reset-password#token=`)).toBe(true);
    await page.context().clearCookies();
    await page.goto(url);
    await page.getByText("For ed@example.com.").waitFor();
    await page.getByLabel("New password", { exact: true }).fill("ed's own password");
    await page.getByLabel("New password again").fill("ed's own password");
    await page.getByRole("button", { name: "Set password and sign in" }).click();
    await page.getByRole("heading", { name: "Flows" }).waitFor();
    expect((await apiCall("GET", "/api/auth/status")).body.user.email).toBe("ed@example.com");
    // Used once: the same link no longer works.
    await page.goto(url);
    await page.getByRole("alert").filter({ hasText: "unknown or was already used" }).waitFor();
  });

  it("a temporary password must be changed at the next sign-in", async () => {
    await signInAs("ada@example.com", "correct horse battery staple");
    await page.getByRole("heading", { name: "Flows" }).waitFor();
    const dialog = await resetDialogFor("ed@example.com");
    await dialog.getByRole("radio", { name: "Temporary password" }).check();
    await dialog.getByRole("textbox", { name: "Temporary password" }).fill("temporary pass 1");
    await dialog.getByRole("button", { name: "Set password" }).click();
    await dialog.getByText("Temporary password set").waitFor();
    await signInAs("ed@example.com", "temporary pass 1");
    await page.getByRole("heading", { name: "Choose a new password" }).waitFor();
    expect((await apiCall("GET", "/api/flows")).body.error).toBe("password_change_required");
    await page.getByLabel("Temporary password").fill("temporary pass 1");
    await page.getByLabel("New password", { exact: true }).fill("ed's newer password");
    await page.getByLabel("New password again").fill("ed's newer password");
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByRole("heading", { name: "Flows" }).waitFor();
    expect((await apiCall("GET", "/api/flows")).status).toBe(200);
  });
});
