// FreeSWITCH's switch_separate_string() (src/switch_utils.c, 1.10 line): how mod_commands' regex
// API and mod_curl's curl API split their argument string. The runtime's API commands use it.

function unescapeChar(c: string): string {
  return c === "n" ? "\n" : c === "r" ? "\r" : c === "t" ? "\t" : c === "s" ? " " : c;
}

/** cleanup_separated_string(): strips quotes, leading/trailing spaces, and unescapes. */
export function cleanupSeparated(str: string, delim: string | null): string {
  let i = 0;
  while (str[i] === " ") i++;
  let dest = "";
  let end = -1;
  let inside = false;
  for (; i < str.length; i++) {
    let esc = false;
    if (str[i] === "\\" && i + 1 < str.length) {
      const e = str[i + 1];
      const un = unescapeChar(e);
      if (e === "'" || e === '"' || (delim !== null && e === delim) || e === "\\" || un !== e) {
        i++;
        dest += un;
        end = dest.length;
        esc = true;
      }
    }
    if (!esc) {
      if (str[i] === "'" && (inside || str.indexOf("'", i + 1) >= 0)) {
        inside = !inside;
        if (inside) end = dest.length;
      } else {
        dest += str[i];
        if (str[i] !== " " || inside) end = dest.length;
      }
    }
  }
  return end >= 0 ? dest.slice(0, end) : dest;
}

/** separate_string_char_delim() + cleanup. */
export function separateCharDelim(buf: string, delim: string, max: number): string[] {
  const starts: number[] = [];
  const ends: number[] = [];
  let inside = false;
  let findDelim = false;
  let i = 0;
  while (i < buf.length && starts.length <= max) {
    if (!findDelim) {
      if (starts.length === max) break;
      starts.push(i);
      findDelim = true;
      continue;
    }
    const c = buf[i];
    if (c === "\\") i++;
    else if (c === "'" && (inside || buf.indexOf("'", i + 1) >= 0)) inside = !inside;
    else if (c === delim && !inside) {
      ends.push(i);
      findDelim = false;
    }
    i++;
  }
  return starts.map((s, k) => cleanupSeparated(buf.slice(s, k < ends.length ? ends[k] : buf.length), delim));
}

/** separate_string_blank_delim() + cleanup. */
export function separateBlankDelim(buf: string, max: number): string[] {
  const tokens: Array<[number, number]> = [];
  let state: "start" | "skipInitial" | "find" | "skipEnding" = "start";
  let inside = false;
  let i = 0;
  while (i < buf.length && tokens.length <= max) {
    switch (state) {
      case "start":
        if (tokens.length === max) {
          i = buf.length;
          break;
        }
        tokens.push([i, buf.length]);
        state = "skipInitial";
        break;
      case "skipInitial":
        if (buf[i] === " ") i++;
        else state = "find";
        break;
      case "find":
        if (buf[i] === "\\") i++;
        else if (buf[i] === "'") inside = !inside;
        else if (buf[i] === " " && !inside) {
          tokens[tokens.length - 1][1] = i;
          state = "skipEnding";
        }
        i++;
        break;
      case "skipEnding":
        if (buf[i] === " ") i++;
        else state = "start";
        break;
    }
  }
  return tokens.map(([s, e]) => cleanupSeparated(buf.slice(s, e), null));
}

/** mod_curl `curl` API arguments, as mod_curl reads them. */
export interface CurlArgs {
  url: string;
  json: boolean;
  timeout?: string;
  contentType?: string;
  headers: string[];
  method: string;
  body?: string;
}

export function parseCurlArgs(cmd: string): CurlArgs {
  const argv = separateBlankDelim(cmd, 64);
  const out: CurlArgs = { url: argv[0] ?? "", json: false, headers: [], method: "get" };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i].toLowerCase();
    if (a === "json") out.json = true;
    else if (a === "timeout" || a === "connect-timeout") out.timeout = argv[++i];
    else if (a === "content-type") out.contentType = argv[++i];
    else if (a === "append_headers") out.headers.push(argv[++i]);
    else if (a === "get" || a === "head" || a === "delete") out.method = a;
    else if (a === "post" || a === "put") {
      out.method = a;
      const raw = argv[++i] ?? "";
      out.body = Buffer.from(raw.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), "latin1").toString("utf8");
    }
  }
  return out;
}
