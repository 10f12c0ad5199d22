// Entry of the media worker when running from TypeScript sources: registers tsx in this thread,
// then loads the real worker module. (A build that emits .js can start media-worker.js directly.)
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.entry);
