// The export bundle for a FreeSWITCH admin, and the prompt list it is built from.
import { describe, expect, it } from "vitest";
import { collectPromptRefs } from "../../flow";
import { generate } from "../../generators";
import { buildExportBundle } from "../../generators/export";
import { ADMIN, buildFlow, kitchenSink } from "./support/flows";

describe("collectPromptRefs", () => {
  it("collects every prompt-widget value, splitting file_string and skipping generated tones", () => {
    expect(collectPromptRefs(kitchenSink())).toEqual([
      "ivr/ivr-welcome.wav",
      "ivr/closed.wav",
      "ivr/goodbye.wav",
      "ivr/main_menu.wav",
      "ivr/invalid.wav",
      "ivr/enter_pin.wav",
    ]);
  });
});

describe("buildExportBundle", () => {
  it("bundles the script, a dialplan extension and a README", () => {
    const flow = kitchenSink();
    const b = buildExportBundle(flow, { number: "+1 (555)*7", flowVersion: 3, scriptName: "Acme IVR", ...ADMIN });
    expect(b.files.map((f) => f.path)).toEqual(["acme_ivr.lua", "dialplan/acme_ivr.xml", "README.md"]);
    const [lua, xml, readme] = b.files.map((f) => f.content);
    expect(lua).toContain('data="acme_ivr.lua"');
    expect(lua.replace(/acme_ivr/g, "kitchen_sink")).toBe(generate(flow, "lua", { ...ADMIN, flowVersion: 3 }).code);
    expect(xml).toContain('<condition field="destination_number" expression="^\\+1 \\(555\\)\\*7$">');
    expect(xml).toContain('<action application="lua" data="acme_ivr.lua"/>');
    for (const m of ["mod_lua", "mod_commands", "mod_curl", "mod_flite"]) expect(readme).toContain(`- ${m}`);
    expect(readme).toContain("`ivr/enter_pin.wav`");
    expect(b.prompts).toEqual(expect.arrayContaining(["ivr/main_menu.wav", "ivr/goodbye.wav"]));
  });

  it("escapes XML and leaves out modules the flow does not use", () => {
    const flow = buildFlow(
      [{ id: "start", kind: "start" }, { id: "p", kind: "play", params: { file: "tone_stream://%(100,0,440)" } }],
      [["start", "next", "p"]],
      {},
      'A <"flow"> & more',
    );
    const b = buildExportBundle(flow);
    const xml = b.files[1].content;
    expect(xml).toContain("A &lt;&quot;flow&quot;&gt; &amp; more");
    expect(xml).toContain('expression="^5000$"');
    const readme = b.files[2].content;
    expect(readme).not.toContain("mod_curl");
    expect(readme).not.toContain("mod_flite");
    expect(b.prompts).toEqual([]);
  });
});
