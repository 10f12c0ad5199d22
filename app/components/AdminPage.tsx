"use client";
// Users & settings: your account (password) and API tokens (everyone); the users, the
// HTTP-request host allow-list and a link to the audit log (admin only; the server enforces it too).
import Link from "next/link";
import { useRequireUser } from "../lib/client/auth";
import { AppHeader } from "./AppHeader";
import { AllowListSection } from "./admin/AllowListSection";
import { PasswordChangeForm } from "./admin/PasswordChangeForm";
import { TokensSection } from "./admin/TokensSection";
import { UsersSection } from "./admin/UsersSection";

export function AdminPage() {
  const { user, error } = useRequireUser();
  if (error) return <main className="page error-box">{error}</main>;
  const isAdmin = user?.role === "admin";
  return (
    <>
      <AppHeader user={user} current="admin" />
      <main className="page admin-page">
        <h1>{isAdmin ? "Users & settings" : "Account"}</h1>
        {!user ? (
          <p className="muted">Loading…</p>
        ) : (
          <>
            {isAdmin && (
              <p>
                <Link href="/admin/audit">Audit log</Link> <span className="muted">— who published, rolled back, changed routes, users, tokens and settings, and when.</span>
              </p>
            )}
            {isAdmin && <UsersSection me={user} />}
            <section className="card admin-section" aria-labelledby="account-heading">
              <h2 id="account-heading">Your password</h2>
              <p className="help">
                Signed in as {user.email}. Changing the password signs out your other sessions.
              </p>
              <PasswordChangeForm />
            </section>
            <TokensSection me={user} />
            {isAdmin && <AllowListSection />}
          </>
        )}
      </main>
    </>
  );
}
