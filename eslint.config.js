import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  { ignores: ["node_modules/", "data/", "bench/results/", ".build/"] },
  js.configs.recommended,
  { files: ["**/*.js", "**/*.mjs"], languageOptions: { globals: { ...globals.node } } },
  { files: ["src/web/assets/**/*.js"], languageOptions: { globals: { ...globals.browser } } },
  ...tseslint.configs.recommended,
  {
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": [
        "error",
        { allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["test", "describe", "it", "suite", "before", "after"] }] },
      ],
      "@typescript-eslint/switch-exhaustiveness-check": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-control-regex": "off",
    },
  },
  {
    // Tests read arbitrary JSON answers and assert on their shape.
    files: ["test/**/*.ts", "src/**/*.test.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // SQL lives in repositories (and the database plumbing); everything else goes through them.
    files: ["src/**/*.ts"],
    ignores: ["src/**/repository.ts", "src/**/*-repository.ts", "src/db/**", "src/**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", { paths: [{ name: "kysely", message: "Only repositories and src/db talk to the database." }] }],
    },
  },
);
