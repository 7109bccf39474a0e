// Accessibility checks with axe-core, against WCAG 2.0 and 2.1, levels A and AA.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const axePath = require.resolve('axe-core/axe.min.js');
let axeSource;

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Runs axe on the page as it is now and returns its violations.
 *
 * The portal's Content-Security-Policy allows scripts from its own origin only, so a
 * <script> tag with axe inside (what page.addScriptTag makes) would be refused. Evaluating
 * the source through the DevTools protocol is not subject to the page's policy, and keeps the
 * policy itself untouched for everything else the tests check.
 */
export async function axeViolations(page) {
  axeSource ??= await readFile(axePath, 'utf8');
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.evaluate(axeSource);
  }
  const results = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    WCAG_TAGS,
  );
  return results.violations;
}

/** The violations as text a person can act on: rule, impact, help, and each element. */
export function describeViolations(label, violations) {
  const lines = [`${label}: ${violations.length} accessibility violation(s)`];
  for (const v of violations) {
    lines.push(`  [${v.impact}] ${v.id}: ${v.help}`);
    lines.push(`    ${v.helpUrl}`);
    for (const node of v.nodes) {
      lines.push(`    - ${node.target.join(' ')}`);
      lines.push(`      ${node.html.slice(0, 200)}`);
      for (const summary of (node.failureSummary || '').split('\n')) {
        if (summary.trim()) lines.push(`      ${summary.trim()}`);
      }
    }
  }
  return lines.join('\n');
}
