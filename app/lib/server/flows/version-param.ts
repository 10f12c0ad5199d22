import { invalid } from "../http";

export function versionNumber(raw: string): number {
  const n = Number(raw);
  if (!/^\d{1,9}$/.test(raw) || n < 1) throw invalid(`"${raw}" is not a version number.`);
  return n;
}
