// Secrets at rest (SIP gateway and user passwords: digest auth needs them in clear at run time, so
// they are encrypted, not hashed). AES-256-GCM from node:crypto; the key comes from IVR_SECRET_KEY
// (32 bytes as 64 hex digits or base64) or from <data dir>/secret.key, created at first use with
// mode 0600. Losing the key makes the stored passwords unreadable (they must be entered again);
// nothing here ever logs a secret or the key.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { dataDir } from "./paths";

const VERSION = "v1";
/** Binds a ciphertext to its purpose: a value encrypted for something else does not decrypt here. */
const AAD = Buffer.from("ivr-studio/sip-secret/v1");

export class SecretKeyError extends Error {}

function parseKey(text: string, where: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, "hex") : Buffer.from(t, "base64");
  if (key.length !== 32) throw new SecretKeyError(`${where} must hold a 32-byte key (64 hex digits or base64); generate one with: openssl rand -hex 32`);
  return key;
}

/** Where the key file lives: beside the PGlite folder (IVR_DATA_DIR, default ./data). */
export function secretKeyFile(): string | undefined {
  const dir = dataDir();
  if (dir.startsWith("memory://")) return undefined;
  return path.join(path.dirname(dir), "secret.key");
}

let cached: { source: string; key: Buffer } | undefined;

/** The key: IVR_SECRET_KEY, else the key file (created 0600 on first use), else (in-memory database) one per process. */
export function secretKey(): Buffer {
  const env = process.env.IVR_SECRET_KEY;
  const file = env ? undefined : secretKeyFile();
  const source = env ? `env:${env.length}` : (file ?? "memory");
  if (cached?.source === source && (!env || cached.key.equals(parseKey(env, "IVR_SECRET_KEY")))) return cached.key;
  let key: Buffer;
  if (env) key = parseKey(env, "IVR_SECRET_KEY");
  else if (!file) key = randomBytes(32);
  else {
    try {
      key = parseKey(readFileSync(file, "utf8"), file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      mkdirSync(path.dirname(file), { recursive: true });
      try {
        // wx: never overwrite a key another process just wrote; 0600: readable by this user only.
        writeFileSync(file, `${randomBytes(32).toString("hex")}\n`, { mode: 0o600, flag: "wx" });
      } catch (w) {
        if ((w as NodeJS.ErrnoException).code !== "EEXIST") throw w;
      }
      key = parseKey(readFileSync(file, "utf8"), file);
    }
  }
  cached = { source, key };
  return key;
}

/** "v1:<iv>:<tag>:<ciphertext>", base64url parts; a fresh 12-byte IV each time. */
export function encryptSecret(plain: string, key = secretKey()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(AAD);
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return [VERSION, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(":");
}

/** The plain text, or a SecretKeyError when the value was not encrypted with this key (or was altered). */
export function decryptSecret(stored: string, key = secretKey()): string {
  const [version, iv, tag, body] = stored.split(":");
  if (version !== VERSION || iv === undefined || tag === undefined || body === undefined) throw new SecretKeyError("not an encrypted secret");
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAAD(AAD);
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretKeyError("the secret cannot be decrypted with this key (IVR_SECRET_KEY or the key file changed?)");
  }
}
