#!/usr/bin/env node
// Run DAISY Ace on several EPUBs with one Chromium, and print one JSON object:
// {"<epub path>": {"outcome": "pass"|"fail", "violations": [...], "metadata": {...}}}.
// Usage: node ace_check.js ACE_PACKAGE_DIR EPUB...
// (ACE_PACKAGE_DIR is the installed @daisy/ace, e.g. "$(npm root -g)/@daisy/ace".)
'use strict';
const path = require('path');
const fs = require('fs');
const os = require('os');

const [aceDir, ...epubs] = process.argv.slice(2);
function load(name) {
  const nested = path.join(aceDir, 'node_modules', name);
  return require(fs.existsSync(nested) ? nested : path.join(aceDir, '..', '..', name));
}
const logger = load('@daisy/ace-logger');
const ace = load('@daisy/ace-core');
const runner = load('@daisy/ace-axe-runner-puppeteer');

// ace-core launches and closes the browser for every book: launch it once instead.
const shared = Object.assign(Object.create(runner), {
  launch: async () => {},
  close: async () => {},
});

(async () => {
  logger.initLogger({ verbose: false, silent: true });
  const results = {};
  await runner.launch();
  try {
    for (const epub of epubs) {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ace-'));
      try {
        const [, report] = await ace(epub, { cwd: process.cwd(), outdir, tmpdir: undefined, silent: true,
                                            verbose: false, jobId: '', lang: 'en' }, shared);
        const violations = [];
        for (const subject of report.assertions || []) {
          for (const assertion of subject.assertions || []) {
            violations.push({
              file: subject['earl:testSubject'].url,
              rule: assertion['earl:test']['dct:title'],
              impact: assertion['earl:test']['earl:impact'],
              description: assertion['earl:result']['dct:description'],
              html: assertion['earl:result'].html || '',
            });
          }
        }
        results[epub] = { outcome: report['earl:result']['earl:outcome'], violations,
                          metadata: report['a11y-metadata'] };
      } catch (err) {
        results[epub] = { outcome: 'error', violations: [], error: String(err && err.message || err) };
      } finally {
        fs.rmSync(outdir, { recursive: true, force: true });
      }
    }
  } finally {
    await runner.close();
  }
  process.stdout.write(JSON.stringify(results));
  process.exit(0);
})();
