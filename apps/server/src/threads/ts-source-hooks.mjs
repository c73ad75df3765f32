// Module hooks for KAM's worker threads (the embedded database's, the spreadsheet reader's) when KAM
// runs from its TypeScript sources (Vitest): Node 20 cannot load .ts files, and Vitest's transform
// does not reach worker threads. `workerEntry` (entry.ts) registers these in the worker only then
// (`--import` of a data: URL calling `register`); the built app (dist/*.js) never loads this file. They transpile .ts (types erased by
// TypeScript's transpileModule, no type check) and let a relative './x.js' import find './x.ts',
// as TypeScript's NodeNext resolution does. See docs/decisions/0018-embedded-database-worker.md.
import { readFile } from 'node:fs/promises';

/** @type {typeof import('typescript') | undefined} */
let ts;

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    const fromTs = context.parentURL?.endsWith('.ts');
    if (
      fromTs &&
      err?.code === 'ERR_MODULE_NOT_FOUND' &&
      /^\.\.?\//.test(specifier) &&
      specifier.endsWith('.js')
    ) {
      return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
    }
    throw err;
  }
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  ts ??= (await import('typescript')).default;
  const source = await readFile(new URL(url), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: url,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
      inlineSourceMap: true,
    },
  });
  return { format: 'module', source: outputText, shortCircuit: true };
}
