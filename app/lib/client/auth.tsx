"use client";
// Who is signed in. Pages that need a user call useRequireUser(): it sends visitors to /login.
import { useEffect, useState } from "react";
import { api, type User } from "./api";

export interface AuthStatus {
  setupRequired: boolean;
  user: User | null;
  /** While setup is required: false when browsing from the server itself (no token needed). */
  setupTokenNeeded?: boolean;
  /** Signed in with a temporary password an admin set: it must be changed first. */
  passwordChangeRequired?: boolean;
}

export function useAuthStatus(): { status: AuthStatus | null; error: string | null } {
  const [status, setStatus] = useState<AuthStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api<AuthStatus>("GET", "/api/auth/status")
      .then((s) => live && setStatus(s))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, []);
  return { status, error };
}

/** The signed-in user, or null while loading; redirects to /login when nobody is signed in (or a temporary password must be changed). */
export function useRequireUser(): { user: User | null; error: string | null } {
  const { status, error } = useAuthStatus();
  useEffect(() => {
    if (status && (!status.user || status.passwordChangeRequired)) {
      const next = encodeURIComponent(window.location.pathname + window.location.search);
      window.location.assign(`/login?next=${next}`);
    }
  }, [status]);
  return { user: status?.user ?? null, error };
}

export async function logout(): Promise<void> {
  await api("POST", "/api/auth/logout").catch(() => undefined);
  window.location.assign("/login");
}
