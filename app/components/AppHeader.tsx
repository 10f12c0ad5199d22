"use client";
import Link from "next/link";
import type { User } from "../lib/client/api";
import { logout } from "../lib/client/auth";

export function AppHeader({ user, current }: { user: User | null; current: "flows" | "routes" | "calls" | "prompts" | "versions" | "admin" | "gateways" | "cluster" }) {
  return (
    <header className="app-header">
      <Link href="/" className="brand">
        IVR Studio
      </Link>
      <nav aria-label="Main">
        <Link href="/" aria-current={current === "flows" ? "page" : undefined}>
          Flows
        </Link>
        <Link href="/routes" aria-current={current === "routes" ? "page" : undefined}>
          Routes
        </Link>
        <Link href="/calls" aria-current={current === "calls" ? "page" : undefined}>
          Calls
        </Link>
        <Link href="/prompts" aria-current={current === "prompts" ? "page" : undefined}>
          Prompts
        </Link>
        <Link href="/cluster" aria-current={current === "cluster" ? "page" : undefined}>
          Cluster
        </Link>
        {user?.role === "admin" && (
          <Link href="/gateways" aria-current={current === "gateways" ? "page" : undefined}>
            Gateways
          </Link>
        )}
        {user && (
          <Link href="/admin" aria-current={current === "admin" ? "page" : undefined}>
            {user.role === "admin" ? "Users & settings" : "Account"}
          </Link>
        )}
      </nav>
      <span className="spacer" />
      {user && (
        <>
          <span className="muted">
            {user.name || user.email} · {user.role}
          </span>
          <button type="button" onClick={() => void logout()}>
            Sign out
          </button>
        </>
      )}
    </header>
  );
}
