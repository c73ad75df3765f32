/**
 * Where a worker thread's module is and how to load it, built or from sources: `name` (no extension)
 * beside `base` (the starting module's `import.meta.url`) — `.js` when KAM runs built (`tsc -b`,
 * `node apps/server/dist/main.js`, benches), `.ts` under Vitest. Neither Node 20 (no type stripping)
 * nor Vitest (its transform does not reach worker threads) loads a `.ts` worker, so from sources the
 * worker gets `--import` of a data: URL registering ts-source-hooks.mjs, which transpiles `.ts` on
 * load. The built app never loads that file. Decision 0018.
 */
export function workerEntry(base: string, name: string): { url: URL; execArgv?: string[] } {
  if (!base.endsWith('.ts')) return { url: new URL(`${name}.js`, base) };
  const hooks = new URL('./ts-source-hooks.mjs', import.meta.url).href;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(hooks)});`;
  return {
    url: new URL(`${name}.ts`, base),
    execArgv: ['--import', `data:text/javascript,${encodeURIComponent(register)}`],
  };
}
