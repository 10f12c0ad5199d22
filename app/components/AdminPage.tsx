"use client";
// Users & settings: your own API tokens (everyone), the user list and new users, and the
// HTTP-request host allow-list (admin only; the server enforces it too).
import { useRequireUser } from "../lib/client/auth";
import { AppHeader } from "./AppHeader";
import { AllowListSection } from "./admin/AllowListSection";
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
            {isAdmin && <UsersSection me={user} />}
            <TokensSection />
            {isAdmin && <AllowListSection />}
          </>
        )}
      </main>
    </>
  );
}
