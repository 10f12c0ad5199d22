// The runtime's environment settings inside npm start.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readRuntimeConfig, RuntimeConfigError, runtimeEnabled } from "../../app/lib/server/runtime/config";

describe("runtime config from the environment", () => {
  it("has loopback defaults", () => {
    const c = readRuntimeConfig({});
    expect(c).toMatchObject({ sipAddress: "127.0.0.1", sipPort: 5080, rtpPorts: [35000, 39999], allowNetworks: ["127.0.0.0/8", "::1/128"] });
    expect(path.isAbsolute(c.soundsDir)).toBe(true);
    expect(readRuntimeConfig({ IVR_MEDIA_DIR: "/srv/prompts" }).soundsDir).toBe("/srv/prompts");
    expect(path.isAbsolute(c.recordingsDir)).toBe(true);
    expect(path.basename(c.recordingsDir)).toBe("recordings");
    expect(readRuntimeConfig({ IVR_RECORDINGS_DIR: "/srv/rec" }).recordingsDir).toBe("/srv/rec");
  });

  it("reads IVR_SIP, IVR_RTP_PORTS and IVR_SIP_ALLOW", () => {
    const c = readRuntimeConfig({ IVR_SIP: "[::1]:5090", IVR_RTP_PORTS: "40000-40099", IVR_SIP_ALLOW: "10.0.0.0/8, 192.168.1.7" });
    expect(c).toMatchObject({ sipAddress: "::1", sipPort: 5090, rtpPorts: [40000, 40099], allowNetworks: ["10.0.0.0/8", "192.168.1.7"] });
    expect(readRuntimeConfig({ IVR_SIP: "0.0.0.0" })).toMatchObject({ sipAddress: "0.0.0.0", sipPort: 5080 });
  });

  it.each([
    [{ IVR_SIP: "127.0.0.1:99999" }, /IVR_SIP: "99999" is not a port/],
    [{ IVR_SIP: "a:b:c" }, /IVR_SIP must be HOST\[:PORT\]/],
    [{ IVR_RTP_PORTS: "5000" }, /IVR_RTP_PORTS must be MIN-MAX/],
    [{ IVR_RTP_PORTS: "40000-30000" }, /not a range/],
    [{ IVR_SIP_ALLOW: "10.0.0.0/99" }, /IVR_SIP_ALLOW: "10.0.0.0\/99"/],
    [{ IVR_SIP_ALLOW: " , " }, /IVR_SIP_ALLOW is empty/],
  ])("refuses %o with a clear message", (env, message) => {
    expect(() => readRuntimeConfig(env)).toThrow(RuntimeConfigError);
    expect(() => readRuntimeConfig(env)).toThrow(message);
  });

  it("IVR_RUNTIME=off keeps it out", () => {
    expect(runtimeEnabled({})).toBe(true);
    expect(runtimeEnabled({ IVR_RUNTIME: "off" })).toBe(false);
    expect(runtimeEnabled({ IVR_RUNTIME: "OFF" })).toBe(false);
    expect(runtimeEnabled({ IVR_RUNTIME: "on" })).toBe(true);
  });

  it("runs the runtime in its own thread unless IVR_RUNTIME_THREAD=off", () => {
    expect(readRuntimeConfig({}).ownThread).toBe(true);
    expect(readRuntimeConfig({ IVR_RUNTIME_THREAD: "off" }).ownThread).toBe(false);
    expect(readRuntimeConfig({ IVR_RUNTIME_THREAD: "on" }).ownThread).toBe(true);
  });
});
