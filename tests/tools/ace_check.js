#!/usr/bin/env node
// Run DAISY Ace on several EPUBs with one Chromium, and write one JSON object to REPORT_JSON:
// {"<epub path>": {"outcome": "pass"|"fail"|"error", "violations": [...], "metadata": {...}}}
// (a file, not stdout: Ace's dependencies print their own errors there).
// Usage: node ace_check.js ACE_PACKAGE_DIR REPORT_JSON EPUB...
// (ACE_PACKAGE_DIR is the installed @daisy/ace, e.g. "$(npm root -g)/@daisy/ace".)
// ACE_BOOKS_AT_ONCE (default 2) books are checked at a time, each with Ace's own
// concurrency over its pages, in tabs of the one browser.
'use strict';
const path = require('path');
const fs = require('fs');
const os = require('os');

const [aceDir, reportFile, ...epubs] = process.argv.slice(2);
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

async function check(epub) {
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
    return { outcome: report['earl:result']['earl:outcome'], violations, metadata: report['a11y-metadata'] };
  } catch (err) {
    return { outcome: 'error', violations: [], error: String(err && err.message || err) };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

(async () => {
  logger.initLogger({ verbose: false, silent: true });
  const results = {};
  const atOnce = Math.max(1, parseInt(process.env.ACE_BOOKS_AT_ONCE || '2', 10) || 1);
  const queue = [...epubs];
  const worker = async () => {
    for (let epub = queue.shift(); epub !== undefined; epub = queue.shift()) results[epub] = await check(epub);
  };
  await runner.launch();
  try {
    await Promise.all(Array.from({ length: Math.min(atOnce, epubs.length) }, worker));
  } finally {
    await runner.close();
  }
  fs.writeFileSync(reportFile, JSON.stringify(results));
  process.exit(0);
})();
