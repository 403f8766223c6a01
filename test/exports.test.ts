/**
 * What a TypeScript user sees of `senko` in an editor's hover and in its declarations: every export documented,
 * every member of an exported interface or class too, and no type exported that no exported function, class or
 * constant uses (a type a user can name but never meets).
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import ts from "typescript";

const ENTRY = join(import.meta.dir, "..", "src", "index.ts");
const program = ts.createProgram([ENTRY], {
  target: ts.ScriptTarget.ESNext,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  allowImportingTsExtensions: true,
  resolveJsonModule: true,
  noEmit: true,
  skipLibCheck: true,
  types: ["bun"],
});
const checker = program.getTypeChecker();
const resolve = (s: ts.Symbol) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
const EXPORTS = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(ENTRY)!)!).map((e) => ({ name: e.name, symbol: resolve(e) }));
const documented = (s: ts.Symbol) => ts.displayPartsToString(s.getDocumentationComment(checker)).trim().length > 0;
const isType = (s: ts.Symbol) => (s.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias)) !== 0;

/** A finished queue job's return value: read through BullMQ (`job.returnvalue`), not from a senko function. */
const READ_THROUGH_BULLMQ = ["JobResult"];

test("every export has a doc comment, and so has every member of an exported interface or class", () => {
  expect(EXPORTS.length).toBeGreaterThan(100);
  expect(EXPORTS.filter((e) => !documented(e.symbol)).map((e) => e.name)).toEqual([]);
  const members = EXPORTS.filter((e) => e.symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.Class)).flatMap((e) =>
    [...(e.symbol.members?.values() ?? [])]
      // The constructor's parameters are documented with the class; `name` is the class's name.
      .filter((m) => !m.name.startsWith("__") && !m.name.startsWith("#") && m.name !== "name")
      .filter((m) => !(m.flags & ts.SymbolFlags.TypeParameter))
      .filter((m) => !documented(m))
      .map((m) => `${e.name}.${m.name}`),
  );
  expect(members).toEqual([]);
});

/** The symbols named in the declarations of `symbol` (types, `typeof x`, base classes), function bodies and initialisers aside. */
function namedIn(symbol: ts.Symbol): ts.Symbol[] {
  const found: ts.Symbol[] = [];
  const walk = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      node.forEachChild((child) => void (child !== node.body && walk(child)));
      return;
    }
    if ((ts.isPropertyDeclaration(node) || ts.isVariableDeclaration(node)) && node.initializer && node.type) return walk(node.type);
    if (ts.isTypeReferenceNode(node) || ts.isExpressionWithTypeArguments(node) || ts.isTypeQueryNode(node)) {
      const name = ts.isTypeReferenceNode(node) ? node.typeName : ts.isTypeQueryNode(node) ? node.exprName : node.expression;
      const named = checker.getSymbolAtLocation(name);
      if (named) found.push(resolve(named));
    }
    node.forEachChild(walk);
  };
  for (const declaration of symbol.declarations ?? []) if (!declaration.getSourceFile().isDeclarationFile) walk(declaration);
  return found;
}

test("every type senko exports is met in the signature of an exported function, class or constant", () => {
  const reached = new Set<ts.Symbol>();
  const queue = EXPORTS.filter((e) => !isType(e.symbol)).map((e) => e.symbol);
  for (let s = queue.pop(); s !== undefined; s = queue.pop()) {
    if (reached.has(s)) continue;
    reached.add(s);
    queue.push(...namedIn(s));
  }
  const unmet = EXPORTS.filter((e) => isType(e.symbol) && !reached.has(e.symbol) && !READ_THROUGH_BULLMQ.includes(e.name));
  expect(unmet.map((e) => e.name)).toEqual([]);
});
