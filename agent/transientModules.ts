/**
 * Runs `fn`, then lets go of every module it loaded that was not loaded before (out of `require.cache` and out of
 * the `children` of the modules that required them), so they can be garbage-collected.
 *
 * Why: the agent validates its options with zod on the service's main thread (a bad option must fail at the call
 * site), and the schemas are thousands of closures that would otherwise stay in the service's heap for good. A
 * bigger heap makes every V8 breakpoint dearer: each evaluation adds entries to V8's locals-blocklist cache that
 * only a full GC clears, and full GCs come rarer as the heap grows; with the protocol's schemas loaded, a bare
 * `false` breakpoint cost ~190 µs per hit instead of ~95 µs (bench/fixtures/raw-breakpoint.js, same machine). A
 * module the app had loaded already (its own zod, say) is left alone, and so is anything loaded outside `fn`.
 */
export function withTransientModules<T>(fn: () => T): T {
  const before = new Set(Object.keys(require.cache));
  try {
    return fn();
  } finally {
    const loaded = Object.keys(require.cache).filter((id) => !before.has(id));
    const released = new Set(loaded.map((id) => require.cache[id]));
    for (const id of loaded) delete require.cache[id];
    for (const mod of Object.values(require.cache)) {
      const children = mod?.children; // absent on entries some loaders put in the cache
      if (!Array.isArray(children) || !children.some((child) => released.has(child))) continue;
      mod!.children = children.filter((child) => !released.has(child));
    }
  }
}
