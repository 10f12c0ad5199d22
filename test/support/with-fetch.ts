// The process's fetch swapped for a scripted one while a run lasts (runs in one test file are
// sequential): the runtime's guarded fetch (TS) and mod_curl (Lua) both end in global fetch.
export async function withFetch<T>(fetchFn: typeof fetch, run: () => Promise<T>): Promise<T> {
  const real = globalThis.fetch;
  globalThis.fetch = fetchFn;
  try {
    return await run();
  } finally {
    globalThis.fetch = real;
  }
}
