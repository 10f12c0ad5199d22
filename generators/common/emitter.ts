// The one line writer both printers use: lines, indentation, blank lines, and the
// node -> line range map (1-based, inclusive) that the designer and runtime errors use.
import type { NodeLineMap } from "../index";

export class Emitter {
  private readonly lines: string[] = [];
  private depth = 0;
  readonly map: NodeLineMap = {};

  constructor(private readonly unit = "  ") {}

  /** One line at the current indentation (an empty string gives an empty line). */
  line(text = ""): void {
    this.lines.push(text === "" ? "" : this.unit.repeat(this.depth) + text);
  }

  /** A line copied as is, without indentation (verbatim user code). */
  raw(text: string): void {
    this.lines.push(text);
  }

  /** Several lines of fixed text (helpers), each indented. */
  block(text: string): void {
    for (const l of text.replace(/\n$/, "").split("\n")) this.line(l);
  }

  /** One blank line, never two in a row and never at the top. */
  blank(): void {
    if (this.lines.length > 0 && this.lines[this.lines.length - 1] !== "") this.lines.push("");
  }

  indent(fn: () => void): void {
    this.depth++;
    try {
      fn();
    } finally {
      this.depth--;
    }
  }

  /** Emit a node's code and record its line range. */
  node(id: string, fn: () => void): void {
    const start = this.lines.length + 1;
    fn();
    this.map[id] = { start, end: this.lines.length };
  }

  toString(): string {
    return this.lines.join("\n") + "\n";
  }
}
