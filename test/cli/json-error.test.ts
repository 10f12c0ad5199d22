// The JSON error locator must agree with JSON.parse on what is valid, and point at the right spot.
import { describe, expect, it } from "vitest";
import { locateJsonError } from "../../cli/json-error";

const VALID = [
  "{}", "[]", "0", "-0.5e+3", '"a\\u00e9\\n"', " { \"a\" : [1, 2, {\"b\": null}], \"c\": true, \"d\": false } ",
  '"\u00e9\u2028"', "[[[]]]", "1E5",
];
const INVALID = [
  "", "{", "}", "[1,]", '{"a":1,}', "{'a':1}", '{"a" 1}', "01", "1.", "-", ".5", "tru", "nul", '"abc', '"a\nb"',
  '"\\x"', '"\\u12"', "[1 2]", '{"a":1}}', "NaN", "+1", '{"a":}', "[,1]", "1 2",
];

describe("locateJsonError", () => {
  it.each(VALID)("accepts %j like JSON.parse", (text) => {
    expect(() => JSON.parse(text)).not.toThrow();
    expect(locateJsonError(text)).toBeUndefined();
  });

  it.each(INVALID)("rejects %j like JSON.parse", (text) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(locateJsonError(text)).toBeDefined();
  });

  it("gives 1-based line and column of the first bad character", () => {
    expect(locateJsonError('{\n  "a": 1,\n  "b": ]\n}')).toEqual({ message: "unexpected ']', expected a value", line: 3, column: 8 });
    expect(locateJsonError('{"a": 1')).toMatchObject({ message: "unexpected end of file, expected ',' or '}'", line: 1, column: 8 });
    expect(locateJsonError("[1]\n\nx")).toMatchObject({ line: 3, column: 1 });
  });
});
