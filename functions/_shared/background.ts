type EdgeRuntimeGlobal = { EdgeRuntime?: { waitUntil(promise: Promise<unknown>): void } };

/** Lets work finish after the response, through the Edge Runtime's `waitUntil` where there is one. */
export function inBackground(work: Promise<unknown>): void {
  const runtime = (globalThis as EdgeRuntimeGlobal).EdgeRuntime;
  if (runtime) runtime.waitUntil(work);
  else work.catch((err) => console.error('background task failed:', err));
}
