// Prometheus metrics (/metrics) and a health check (/health) on their own address.
import http from "node:http";
import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";
import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";

export interface RtpTotals {
  sent: number;
  received: number;
  late: number;
  lost: number;
  /** Event-loop lag p99 of the media thread, ms. */
  loopLagP99Ms?: number;
}

export class RuntimeMetrics {
  readonly registry = new Registry();
  readonly activeCalls: Gauge;
  readonly callsTotal: Counter<"cause">;
  private readonly rtp: Gauge<"kind">;
  private readonly loopLag: Gauge<"thread">;
  private readonly mainLoop: IntervalHistogram;
  private server?: http.Server;
  draining = false;

  constructor(private readonly rtpTotals: () => RtpTotals = () => ({ sent: 0, received: 0, late: 0, lost: 0 })) {
    collectDefaultMetrics({ register: this.registry, prefix: "ivr_process_" });
    this.activeCalls = new Gauge({ name: "ivr_active_calls", help: "Calls in progress", registers: [this.registry] });
    this.callsTotal = new Counter({
      name: "ivr_calls_total",
      help: "Calls ended, by hangup cause",
      labelNames: ["cause"],
      registers: [this.registry],
    });
    this.rtp = new Gauge({
      name: "ivr_rtp_packets",
      help: "RTP packets since start: sent, received, late (sent > 5 ms after their deadline), lost (sequence gaps)",
      labelNames: ["kind"],
      registers: [this.registry],
      collect: () => {
        const t = this.rtpTotals();
        this.rtp.set({ kind: "sent" }, t.sent);
        this.rtp.set({ kind: "received" }, t.received);
        this.rtp.set({ kind: "late" }, t.late);
        this.rtp.set({ kind: "lost" }, t.lost);
        if (t.loopLagP99Ms !== undefined) this.loopLag.set({ thread: "media" }, t.loopLagP99Ms / 1000);
      },
    });
    this.mainLoop = monitorEventLoopDelay({ resolution: 10 });
    this.mainLoop.enable();
    this.loopLag = new Gauge({
      name: "ivr_event_loop_lag_seconds",
      help: "Event-loop delay p99 per thread",
      labelNames: ["thread"],
      registers: [this.registry],
      collect: () => {
        this.loopLag.set({ thread: "main" }, this.mainLoop.percentile(99) / 1e9);
      },
    });
  }

  /** Serve /metrics and /health on host:port; resolves with the bound port. */
  listen(host: string, port: number): Promise<number> {
    this.server = http.createServer(async (req, res) => {
      if (req.url === "/metrics") {
        res.setHeader("Content-Type", this.registry.contentType);
        res.end(await this.registry.metrics());
      } else if (req.url === "/health") {
        res.setHeader("Content-Type", "application/json");
        res.statusCode = this.draining ? 503 : 200;
        res.end(JSON.stringify({ status: this.draining ? "draining" : "ok" }));
      } else {
        res.statusCode = 404;
        res.end("not found\n");
      }
    });
    return new Promise((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(port, host, () => {
        const a = this.server!.address();
        resolve(typeof a === "object" && a ? a.port : port);
      });
    });
  }

  async close(): Promise<void> {
    this.mainLoop.disable();
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()));
  }
}
