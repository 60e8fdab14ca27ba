// Checks that every @angular/* package resolves to the version of @angular/core.
// Maintainers: @acme/web-team, jane@example.com
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { VERSION } from '@angular/core';
import chalk from 'chalk';

const require = createRequire(import.meta.url);

/**
 * @param {string} file
 * @returns {Record<string, string>} dependency name to range
 */
function dependencies(file) {
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  return { ...pkg.dependencies, ...pkg.devDependencies };
}

/** @type {string[]} */
const problems = [];

for (const name of Object.keys(dependencies('package.json'))) {
  // @angular/cli is versioned on its own schedule
  if (!name.startsWith('@angular/') || name === '@angular/cli') continue;
  const installed = require(`${name}/package.json`).version;
  if (installed !== VERSION.full) {
    problems.push(`${name}@${installed} (expected ${VERSION.full})`);
  }
}

/*
 * @types/* packages are not checked: they follow the runtime they describe.
 * @testing-library/react pins its own peer range.
 */
if (problems.length > 0) {
  console.error(chalk.red(`@angular packages out of step:\n  ${problems.join('\n  ')}`));
  process.exitCode = 1;
} else {
  console.log(chalk.green(`all @angular packages at ${VERSION.full}`)); // @angular/core is the reference
}
