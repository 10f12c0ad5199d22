// Safe download file names from user-chosen flow names.
export function slugify(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[^\w\s-]/g, "")
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
  return slug || "flow";
}

/** Content-Disposition value: ASCII fallback plus the RFC 5987 UTF-8 name. */
export function attachmentName(name: string, extension: string): string {
  return `attachment; filename="${slugify(name)}${extension}"; filename*=UTF-8''${encodeURIComponent(name + extension)}`;
}
