import { it } from "vitest";
import { runLua } from "../support/run-flow";
it("x", async () => {
  const r = await runLua(`local api = freeswitch.API()
       print(api:execute("regex", "m:~1 2~^1\\\\s2$"), api:execute("regex", "123|^\\\\d{3}$"), api:execute("regex", "12|^(1|2)$"))`, { actions: [] });
  console.log(r.error, r.output, JSON.stringify(r.trace));
});
