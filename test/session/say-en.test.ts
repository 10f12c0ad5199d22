// mod_say_en's file sequences, written out by hand from mod_say_en.c's rules (play_group,
// en_say_general_count, en_say_money, en_say_time, say_telephone_number, say_spell, say_ip)
// and switch_say_file's composition. The clock and zones are pinned: no test reads the real time.
import { createClock } from "../../runtime/clock";
import { describe, expect, it } from "vitest";
import { sayEnglish, sayMethodByName, sayTypeByName, toFileString } from "../../runtime/session/say/en";
import { composeSay } from "../../runtime/session/say";
import { makeSession } from "./fakes";

/** 2026-03-05 14:07:09 UTC, a Thursday. */
const NOW = Date.UTC(2026, 2, 5, 14, 7, 9);
const UTC = { name: "UTC" };

function say(text: string, type: string, method = "pronounced", opts: { now?: number; timezone?: string; zone?: { name: string } } = {}) {
  return sayEnglish(text, sayTypeByName(type), sayMethodByName(method), {
    now: opts.now ?? NOW,
    localZone: opts.zone ?? UTC,
    timezone: opts.timezone,
  });
}
const files = (text: string, type: string, method?: string, opts?: Parameters<typeof say>[3]) => say(text, type, method, opts).files;

describe("numbers (en_say_general_count)", () => {
  it("pronounced", () => {
    expect(files("0", "number")).toEqual(["digits/0"]);
    expect(files("7", "number")).toEqual(["digits/7"]);
    expect(files("13", "number")).toEqual(["digits/13"]);
    expect(files("21", "number")).toEqual(["digits/20", "digits/1"]);
    expect(files("100", "number")).toEqual(["digits/1", "digits/hundred"]);
    expect(files("101", "number")).toEqual(["digits/1", "digits/hundred", "digits/1"]);
    expect(files("1999", "number")).toEqual(["digits/1", "digits/thousand", "digits/9", "digits/hundred", "digits/90", "digits/9"]);
    expect(files("1000000", "number")).toEqual(["digits/1", "digits/million"]);
    expect(files("123", "number")).toEqual(["digits/1", "digits/hundred", "digits/20", "digits/3"]);
    expect(files("999999999", "number")).toEqual([
      "digits/9", "digits/hundred", "digits/90", "digits/9", "digits/million",
      "digits/9", "digits/hundred", "digits/90", "digits/9", "digits/thousand",
      "digits/9", "digits/hundred", "digits/90", "digits/9",
    ]);
  });

  it("commas are dropped, leading zeros ignored, an empty value is zero", () => {
    expect(files("1,234", "number")).toEqual(["digits/1", "digits/thousand", "digits/2", "digits/hundred", "digits/30", "digits/4"]);
    expect(files("007", "number")).toEqual(["digits/7"]);
    expect(files(",", "number")).toEqual(["digits/0"]);
  });

  it("negative and decimal numbers, and more than 9 digits, are a parse error that says nothing", () => {
    for (const v of ["-5", "3.14", "+1", "12a", "1234567890"]) {
      const r = say(v, "number");
      expect(r.files, v).toEqual([]);
      expect(r.errors, v).toEqual(["Parse Error!"]);
    }
    expect(say("-5", "number", "iterated").files).toEqual([]);
  });

  it("iterated says each digit, with no length limit of 9", () => {
    expect(files("123", "number", "iterated")).toEqual(["digits/1", "digits/2", "digits/3"]);
    expect(files("0012345678901", "number", "iterated")).toHaveLength(13);
  });

  it("counted (ordinals) as the units group only; 11-19 stay cardinal, as in mod_say_en", () => {
    expect(files("1", "number", "counted")).toEqual(["digits/h-1"]);
    expect(files("21", "number", "counted")).toEqual(["digits/20", "digits/h-1"]);
    expect(files("30", "number", "counted")).toEqual(["digits/h-30"]);
    expect(files("11", "number", "counted")).toEqual(["digits/11"]);
    expect(files("1002", "number", "counted")).toEqual(["digits/1", "digits/thousand", "digits/h-2"]);
  });

  it("items, persons and messages are numbers; N/A and unknown methods say only zero", () => {
    expect(files("21", "items")).toEqual(["digits/20", "digits/1"]);
    expect(files("21", "PERSONS", "PRONOUNCED")).toEqual(["digits/20", "digits/1"]);
    expect(files("21", "messages")).toEqual(["digits/20", "digits/1"]);
    expect(files("21", "number", "n/a")).toEqual([]);
    expect(files("0", "number", "sideways")).toEqual(["digits/0"]);
  });

  it("pronounced_year splits the year in two unless it ends in 00 or the century is a multiple of 10", () => {
    expect(files("1999", "number", "pronounced_year")).toEqual(["digits/19", "digits/90", "digits/9"]);
    expect(files("1905", "number", "pronounced_year")).toEqual(["digits/19", "digits/5"]);
    expect(files("2026", "number", "pronounced_year")).toEqual(["digits/2", "digits/thousand", "digits/20", "digits/6"]);
    expect(files("1900", "number", "pronounced_year")).toEqual(["digits/1", "digits/thousand", "digits/9", "digits/hundred"]);
  });
});

describe("currency (en_say_money)", () => {
  it("dollars and cents", () => {
    expect(files("12.34", "currency")).toEqual([
      "digits/12", "currency/dollars", "currency/and", "digits/30", "digits/4", "currency/cents",
    ]);
    expect(files("$1.01", "currency")).toEqual(["digits/1", "currency/dollar", "currency/and", "digits/1", "currency/cent"]);
    expect(files("0.99", "currency")).toEqual(["digits/0", "currency/dollars", "currency/and", "digits/90", "digits/9", "currency/cents"]);
    expect(files("$1,250", "currency")).toEqual(["digits/1", "digits/thousand", "digits/2", "digits/hundred", "digits/50", "currency/dollars"]);
  });

  it("no cents part: no 'and'; one decimal digit is that many cents; extra decimals are cut", () => {
    expect(files("7", "currency")).toEqual(["digits/7", "currency/dollars"]);
    expect(files("1.5", "currency")).toEqual(["digits/1", "currency/dollar", "currency/and", "digits/5", "currency/cents"]);
    expect(files("2.999", "currency")).toEqual(["digits/2", "currency/dollars", "currency/and", "digits/90", "digits/9", "currency/cents"]);
  });

  it("a sign: negative says 'negative', plus is skipped", () => {
    expect(files("-5", "currency")).toEqual(["currency/negative", "digits/5", "currency/dollars"]);
    expect(files("+5.00", "currency")).toEqual(["digits/5", "currency/dollars", "currency/and", "digits/0", "currency/cents"]);
  });

  it("iterated digits; too long is a parse error", () => {
    expect(files("12.34", "currency", "iterated")).toEqual([
      "digits/1", "digits/2", "currency/dollars", "currency/and", "digits/3", "digits/4", "currency/cents",
    ]);
    expect(say("1234567890123456", "currency")).toEqual({ known: true, files: [], errors: ["Parse Error!"] });
  });
});

describe("dates and times (en_say_time)", () => {
  it("current_date: weekday, month, ordinal day, year", () => {
    expect(files("", "current_date")).toEqual(["time/day-4", "time/mon-2", "digits/h-5", "digits/2", "digits/thousand", "digits/20", "digits/6"]);
  });

  it("current_time: 12-hour clock with oh / o'clock and a.m./p.m.", () => {
    expect(files("", "current_time")).toEqual(["digits/2", "time/oh", "digits/7", "time/p-m"]);
    const at = (h: number, m: number) => files(String(Date.UTC(2026, 2, 5, h, m) / 1000), "current_time");
    expect(at(0, 30)).toEqual(["digits/12", "digits/30", "time/a-m"]);
    expect(at(12, 0)).toEqual(["digits/12", "time/oclock", "time/p-m"]);
    expect(at(9, 45)).toEqual(["digits/9", "digits/40", "digits/5", "time/a-m"]);
  });

  it("current_time iterated: 24-hour 'military' time", () => {
    expect(files("", "current_time", "iterated")).toEqual(["digits/14", "digits/0", "digits/7", "time/hours"]);
    const at = (h: number, m: number) => files(String(Date.UTC(2026, 2, 5, h, m) / 1000), "current_time", "iterated");
    expect(at(0, 0)).toEqual(["digits/20", "digits/4", "digits/hundred", "time/hours"]);
    expect(at(9, 30)).toEqual(["digits/0", "digits/9", "digits/30", "time/hours"]);
  });

  it("current_date_time: the date, 'at', the time", () => {
    expect(files("", "current_date_time")).toEqual([
      "time/day-4", "time/mon-2", "digits/h-5", "digits/2", "digits/thousand", "digits/20", "digits/6",
      "time/at", "digits/2", "time/oh", "digits/7", "time/p-m",
    ]);
  });

  it("an epoch value says that moment; ordinals 11th and 30th as mod_say_en does", () => {
    expect(files(String(Date.UTC(1999, 11, 31, 23, 59) / 1000), "current_date")).toEqual([
      "time/day-5", "time/mon-11", "digits/30", "digits/h-1", "digits/19", "digits/90", "digits/9",
    ]);
    expect(files(String(Date.UTC(2026, 2, 11) / 1000), "current_date").slice(2, 3)).toEqual(["digits/11"]);
    expect(files(String(Date.UTC(2026, 3, 30) / 1000), "current_date").slice(2, 3)).toEqual(["digits/h-30"]);
  });

  it("the timezone variable: an offset in seconds, a zone name, or empty for GMT", () => {
    const ny = files("", "current_time", "pronounced", { timezone: "America/New_York" });
    expect(ny).toEqual(["digits/9", "time/oh", "digits/7", "time/a-m"]);
    expect(files("", "current_time", "pronounced", { timezone: "-18000" })).toEqual(ny);
    expect(files("", "current_time", "pronounced", { timezone: "", zone: { name: "Asia/Tokyo" } })).toEqual(["digits/2", "time/oh", "digits/7", "time/p-m"]);
    // Without the variable the server's own zone applies.
    expect(files("", "current_time", "pronounced", { zone: { name: "Asia/Tokyo" } })).toEqual(["digits/11", "time/oh", "digits/7", "time/p-m"]);
  });

  it("a date/time string is read in the server's zone", () => {
    expect(files("2026-03-05 09:05", "current_date_time")).toEqual([
      "time/day-4", "time/mon-2", "digits/h-5", "digits/2", "digits/thousand", "digits/20", "digits/6",
      "time/at", "digits/9", "time/oh", "digits/5", "time/a-m",
    ]);
    expect(files("17:30", "current_time")).toEqual(["digits/5", "digits/30", "time/p-m"]);
    // Without a colon the value is an epoch (strTime's YYYYMMDDHHMMSS form is never reached).
    expect(files("1772719629", "current_time")).toEqual(["digits/2", "time/oh", "digits/7", "time/p-m"]);
    expect(say("20260305173000", "current_time")).toEqual({ known: true, files: [], errors: ["Time 20260305173000 is out of range"] });
  });

  it("short_date_time: today, yesterday, a weekday this week, a full date otherwise", () => {
    const day = (y: number, m: number, d: number, h = 8, min = 15) => String(Date.UTC(y, m, d, h, min) / 1000);
    const time = ["digits/8", "digits/15", "time/a-m"];
    expect(files(day(2026, 2, 5), "short_date_time")).toEqual(["time/today", "time/at", ...time]);
    expect(files(day(2026, 2, 4), "short_date_time")).toEqual(["time/yesterday", "time/at", ...time]);
    expect(files(day(2026, 2, 2), "short_date_time")).toEqual(["time/day-1", "time/at", ...time]);
    expect(files(day(2026, 1, 23), "short_date_time")).toEqual(["time/day-1", "time/mon-1", "digits/20", "digits/h-3", "time/at", ...time]);
    expect(files(day(2027, 0, 1), "short_date_time")).toEqual([
      "time/day-5", "time/mon-0", "digits/h-1", "digits/2", "digits/thousand", "digits/20", "digits/7", "time/at", ...time,
    ]);
  });

  it("time_measurement: seconds or h:m:s, every unit said, zero included", () => {
    expect(files("3725", "time_measurement")).toEqual([
      "digits/1", "time/hour", "digits/2", "time/minutes", "digits/5", "time/seconds",
    ]);
    expect(files("0:05", "time_measurement")).toEqual(["digits/0", "time/hours", "digits/0", "time/minutes", "digits/5", "time/seconds"]);
    expect(files("1:01:00", "time_measurement")).toEqual(["digits/1", "time/hour", "digits/1", "time/minute", "digits/0", "time/seconds"]);
  });
});

describe("spelling, telephone numbers, IP addresses", () => {
  it("telephone_number: digits, + and letters as ascii, one pause per run of separators", () => {
    expect(files("+1 (555) 010-99", "telephone_number")).toEqual([
      "ascii/43", "digits/1", "silence_stream://100", "digits/5", "digits/5", "digits/5", "silence_stream://100",
      "digits/0", "digits/1", "digits/0", "silence_stream://100", "digits/9", "digits/9",
    ]);
    expect(files("1-800-FLOWERS", "telephone_number").slice(5, 7)).toEqual(["silence_stream://100", "ascii/102"]);
  });

  it("name_spelled: digits as digits, everything else lower-cased as ascii/<code>", () => {
    expect(files("Bob 7", "name_spelled")).toEqual(["ascii/98", "ascii/111", "ascii/98", "ascii/32", "digits/7"]);
    expect(files("Al", "name_phonetic")).toEqual(["phonetic-ascii/97", "phonetic-ascii/108"]);
  });

  it("ip_address", () => {
    expect(files("10.0.0.1", "ip_address")).toEqual(["digits/10", "digits/dot", "digits/0", "digits/dot", "digits/0", "digits/dot", "digits/1"]);
    expect(files("10.0.1", "ip_address")).toEqual([]);
  });

  it("types mod_say_en has no function for say nothing and log Unknown Say type", () => {
    expect(say("x@y", "email_address")).toEqual({ known: false, files: [], errors: ["Unknown Say type=[13]"] });
    expect(say("1", "bogus")).toEqual({ known: false, files: [], errors: ["Unknown Say type=[19]"] });
  });
});

describe("composition and language", () => {
  it("switch_say_file: file_string://, .wav on each part except sources; the first part always gets it", () => {
    expect(toFileString(["digits/1", "digits/2", "digits/3"])).toBe("file_string://digits/1.wav!digits/2.wav!digits/3.wav");
    expect(toFileString(["digits/1", "silence_stream://100", "digits/2"])).toBe("file_string://digits/1.wav!silence_stream://100!digits/2.wav");
    expect(toFileString(files("(5)", "telephone_number"))).toBe("file_string://silence_stream://100.wav!digits/5.wav!silence_stream://100");
    expect(toFileString([])).toBe("");
  });

  it("the language comes from module:lang, then language, then default_language, then the module", () => {
    const get = (vars: Record<string, string>) => (n: string) => vars[n];
    const lang = (module: string, vars: Record<string, string> = {}) => {
      const r = composeSay({ text: "1", module, type: "number", method: "pronounced", getVar: get(vars), now: NOW, localZone: UTC });
      return r.ok ? r.language : r.error;
    };
    expect(lang("en")).toBe("en");
    expect(lang("en:de")).toBe("Invalid SAY Interface [de]!");
    expect(lang("en", { language: "fr" })).toBe("Invalid SAY Interface [fr]!");
    expect(lang("de", { default_language: "en" })).toBe("en");
    expect(lang("en", { language: "en-US" })).toBe("en-US");
  });
});

describe("session.say", () => {
  it("plays the whole sequence as one file_string, pre-answering first", async () => {
    const { session, media, control } = makeSession();
    await session.say("21", "en", "number", "pronounced");
    expect(control.preAnswers).toBe(1);
    expect(media.played).toEqual(["file_string://digits/20.wav!digits/1.wav"]);
  });

  it("dates come from the session's clock and zone", async () => {
    const s = makeSession({ timezone: "America/New_York" }, { clock: createClock({ at: new Date(NOW).toISOString(), zone: "UTC" }) });
    await s.session.say("", "en", "current_date_time", "pronounced");
    expect(s.media.played).toEqual([
      "file_string://time/day-4.wav!time/mon-2.wav!digits/h-5.wav!digits/2.wav!digits/thousand.wav!digits/20.wav!digits/6.wav" +
        "!time/at.wav!digits/9.wav!time/oh.wav!digits/7.wav!time/a-m.wav",
    ]);
  });

  it("a parse error logs and plays nothing; an unknown language logs Invalid SAY Interface", async () => {
    const a = makeSession();
    await a.session.say("-5", "en", "number", "pronounced");
    expect(a.media.played).toEqual([]);
    expect(a.logs).toContainEqual(["err", "Parse Error!"]);
    const b = makeSession();
    await b.session.say("5", "de", "number", "pronounced");
    expect(b.media.played).toEqual([]);
    expect(b.control.preAnswers).toBe(0);
    expect(b.logs).toContainEqual(["err", "Invalid SAY Interface [de]!"]);
  });

  it("missing arguments log 'invalid args' and do nothing", async () => {
    const { session, media, logs } = makeSession();
    await session.say("5", "en", undefined as unknown as string, "pronounced");
    expect(media.played).toEqual([]);
    expect(logs).toContainEqual(["err", "Error! invalid args."]);
  });

  it("an input callback returning a stop value ends the say", async () => {
    const { session, media, press } = makeSession();
    await session.setInputCallback(() => "break");
    press("5", 50);
    const t0 = performance.now();
    await session.say("1999", "en", "number", "pronounced"); // 6 parts in the fake = 200 ms
    expect(performance.now() - t0).toBeLessThan(190);
    expect(media.played).toHaveLength(1);
  });
});
