// The callers of bench/media/talk.ts, in their own process: one UDP socket (as SIPp's rtp_stream
// uses one media socket for every call) sending one 20 ms G.711 packet every 20 ms to each port
// given on stdin (JSON array), each port on its own phase; what comes back is read and dropped.
// Prints {"sent":N} on SIGTERM.
import dgram from "node:dgram";

const ports = JSON.parse(await new Promise((resolve) => {
  let s = "";
  process.stdin.on("data", (d) => (s += d));
  process.stdin.on("end", () => resolve(s));
}));
const socket = dgram.createSocket({ type: "udp4", lookup: (a, f, cb) => cb(null, a, 4) });
await new Promise((r) => socket.bind(0, "127.0.0.1", r));
socket.on("message", () => {});
process.stdout.write(`${JSON.stringify({ port: socket.address().port })}\n`);

const state = ports.map((port, i) => ({ port, seq: i * 7, ts: i * 1000, phase: i % 20, ssrc: 0x1000 + i }));
const slots = Array.from({ length: 20 }, () => []);
for (const s of state) slots[s.phase].push(s);
let sent = 0;
const t0 = performance.now();
let tick = 0;
function loop() {
  const now = performance.now();
  while (t0 + tick <= now) {
    for (const s of slots[tick % 20]) {
      const b = Buffer.allocUnsafe(172);
      b[0] = 0x80;
      b[1] = 8;
      b.writeUInt16BE(s.seq & 0xffff, 2);
      b.writeUInt32BE(s.ts >>> 0, 4);
      b.writeUInt32BE(s.ssrc, 8);
      b.fill(0xd5, 12);
      s.seq++;
      s.ts += 160;
      socket.send(b, s.port, "127.0.0.1");
      sent++;
    }
    tick++;
  }
  setTimeout(loop, Math.max(0, t0 + tick - performance.now()));
}
loop();
process.on("SIGTERM", () => {
  process.stdout.write(`${JSON.stringify({ sent })}\n`);
  process.exit(0);
});
