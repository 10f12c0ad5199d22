"use client";
// Live test box for a pattern: type digits, see whether the entry matches, anchored
// exactly like the generators do (choiceRegex: whole entry, literal digits escaped).
import { useId, useState } from "react";
import { choiceRegex } from "../../../flow/catalog";

export function testPattern(pattern: string, input: string): "match" | "no match" | "invalid" {
  try {
    return new RegExp(choiceRegex(pattern)).test(input) ? "match" : "no match";
  } catch {
    return "invalid";
  }
}

export function RegexTester({ pattern, label }: { pattern: string; label: string }) {
  const id = useId();
  const [input, setInput] = useState("");
  const result = pattern ? testPattern(pattern, input) : null;
  return (
    <div className="regex-tester">
      <label htmlFor={id}>Test {label}</label>
      <input id={id} value={input} inputMode="numeric" placeholder="type digits" onChange={(e) => setInput(e.target.value)} />
      {result && input !== "" && (
        <span className={`regex-result ${result.replace(" ", "-")}`} role="status">
          {result === "invalid" ? "invalid pattern" : result}
        </span>
      )}
    </div>
  );
}
