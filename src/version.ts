/** @module The package version, read from package.json at build time (bundled into compiled executables). */
import pkg from "../package.json" with { type: "json" };

/** senko's version, as its package.json gives it. */
export const VERSION: string = pkg.version;
