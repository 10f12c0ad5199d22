// First-admin setup: allowed from a loopback socket, or with the one-time token printed on the
// console at start. Only the token's sha256 is stored; it is deleted when used.
import type { PrismaClient } from "../../../../prisma/generated/client/client";
import { newToken, sha256 } from "./crypto";

const SETUP_TOKEN_KEY = "setupTokenHash";

/** When no user exists, mint a fresh setup token (replacing any earlier one) and return it. */
export async function issueSetupToken(prisma: PrismaClient): Promise<string | undefined> {
  if ((await prisma.user.count()) > 0) return undefined;
  const token = newToken();
  await prisma.setting.upsert({
    where: { key: SETUP_TOKEN_KEY },
    create: { key: SETUP_TOKEN_KEY, value: sha256(token) },
    update: { value: sha256(token) },
  });
  return token;
}

export async function setupTokenMatches(prisma: PrismaClient, token: string): Promise<boolean> {
  const row = await prisma.setting.findUnique({ where: { key: SETUP_TOKEN_KEY } });
  return typeof row?.value === "string" && row.value === sha256(token);
}

export const setupTokenKey = SETUP_TOKEN_KEY;
