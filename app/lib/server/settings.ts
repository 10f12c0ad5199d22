// Key/value settings. httpAllowList: the hosts an HTTP request node may call.
import type { PrismaClient } from "../../../prisma/generated/client/client";
import { invalid } from "./http";

export const HTTP_ALLOW_LIST = "httpAllowList";

const HOST_RE = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:\d{1,5})?$/;

export async function getHttpAllowList(prisma: PrismaClient): Promise<string[]> {
  const row = await prisma.setting.findUnique({ where: { key: HTTP_ALLOW_LIST } });
  return Array.isArray(row?.value) ? row.value.filter((h): h is string => typeof h === "string") : [];
}

/** Check and normalise an allow-list from a request body (exact host or *.suffix). */
export function parseHttpAllowList(value: unknown): string[] {
  if (!Array.isArray(value)) throw invalid("httpAllowList must be an array of host names.");
  const hosts = value.map((h, i) => {
    if (typeof h !== "string") throw invalid(`httpAllowList[${i}] must be a string.`);
    const host = h.trim().toLowerCase();
    if (!HOST_RE.test(host)) throw invalid(`httpAllowList[${i}]: "${h}" is not a host name (use example.com or *.example.com).`);
    return host;
  });
  return [...new Set(hosts)];
}

export async function setHttpAllowList(prisma: PrismaClient, hosts: string[]): Promise<void> {
  await prisma.setting.upsert({ where: { key: HTTP_ALLOW_LIST }, create: { key: HTTP_ALLOW_LIST, value: hosts }, update: { value: hosts } });
}
