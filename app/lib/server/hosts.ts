// Which Host names this server answers to: loopback names and literals, plus the public origin
// an operator configures (IVR_PUBLIC_URL). Everything else is refused before any handler runs,
// which is what defeats DNS rebinding: a rebinding page can point its own name at 127.0.0.1,
// but the browser still sends that name in Host (and Origin), and that name is not on the list.

type Env = Record<string, string | undefined>;

export class PublicUrlError extends Error {}

/** Host[:port], with IPv6 literals in brackets; nothing else (no user info, no path). */
const HOST_RE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** The name part of a Host header value, lower-cased, brackets kept for IPv6; undefined when malformed. */
export function hostName(host: string): string | undefined {
  if (!HOST_RE.test(host)) return undefined;
  return host.replace(/:\d{1,5}$/, "").toLowerCase();
}

/** `localhost`, 127.0.0.0/8 and [::1] (also as IPv4-mapped): names a remote page cannot rebind. */
export function isLoopbackHost(host: string | null | undefined): boolean {
  const name = host ? hostName(host) : undefined;
  if (!name) return false;
  if (name === "localhost" || name === "[::1]") return true;
  const v4 = name.replace(/^\[::ffff:(.*)\]$/, "$1");
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(v4);
  return !!m && m.slice(1).every((o) => Number(o) <= 255);
}

/** IVR_PUBLIC_URL as an origin (scheme://host[:port]), or undefined when unset; a clear error when malformed. */
export function publicOrigin(env: Env = process.env): URL | undefined {
  const raw = env.IVR_PUBLIC_URL?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new PublicUrlError(`IVR_PUBLIC_URL must be an origin such as https://ivr.example.com, got "${raw}".`);
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.username || url.password || (url.pathname !== "/" && url.pathname !== "") || url.search || url.hash) {
    throw new PublicUrlError(`IVR_PUBLIC_URL must be an origin (http(s)://host[:port], no path), got "${raw}".`);
  }
  return url;
}

/** May a request carrying this Host header be served? */
export function isAllowedHost(host: string | null | undefined, env: Env = process.env): boolean {
  if (!host || !hostName(host)) return false;
  if (isLoopbackHost(host)) return true;
  const pub = publicOrigin(env);
  if (!pub) return false;
  // Compare as the browser would: the public URL's scheme decides the default port.
  try {
    return new URL(`${pub.protocol}//${host}`).host === pub.host;
  } catch {
    return false;
  }
}

/** The sentence a refused request gets. */
export function hostRefusal(host: string | null | undefined, env: Env = process.env): string {
  const pub = publicOrigin(env);
  const shown = host ? JSON.stringify(host.slice(0, 100)) : "(none)";
  return (
    `This server does not answer to Host ${shown}. It answers to localhost, 127.0.0.1 and [::1]` +
    (pub ? ` and to ${pub.host} (IVR_PUBLIC_URL)` : "") +
    ". To reach it under another name, set IVR_PUBLIC_URL to that origin (e.g. https://ivr.example.com) and restart."
  );
}
