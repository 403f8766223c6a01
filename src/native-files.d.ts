// Shared libraries embedded into the compiled executable (`import x from "...so" with { type: "file" }`)
// resolve to a path string.
declare module "*.so" {
  const path: string;
  export default path;
}
declare module "*.so.1" {
  const path: string;
  export default path;
}
