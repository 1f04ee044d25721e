// Measure EPUB pages laid out at phone and tablet sizes; loaded by tests/phone.py's harness page,
// which holds one iframe per (page, size). Writes a JSON report into <pre id="report">.
'use strict';

function describe(el) {
  let name = el.localName;
  if (el.id) name += '#' + el.id;
  if (el.getAttribute('class')) name += '.' + el.getAttribute('class').trim().split(/\s+/).join('.');
  return name;
}

function scrollsSideways(el, win) {
  const style = win.getComputedStyle(el);
  return ['auto', 'scroll', 'hidden', 'clip'].includes(style.overflowX);
}

function measure(frame) {
  const win = frame.contentWindow;
  const doc = frame.contentDocument;
  const width = win.innerWidth;
  const report = { page: frame.dataset.page, width, overflow: [], lineGaps: [], notes: [], tables: [], captions: [],
                   headings: [], quotes: [], wordGaps: [], hyphens: null, lang: doc.documentElement.getAttribute('lang'),
                   scrollWidth: doc.documentElement.scrollWidth };
  const px = (el, prop) => parseFloat(win.getComputedStyle(el)[prop]) || 0;

  // 1. Nothing wider than the screen, except inside a box that scrolls sideways and itself fits.
  for (const el of doc.body.querySelectorAll('*')) {
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 && rect.height === 0) continue;
    let clipped = false;
    for (let a = el.parentElement; a && a !== doc.body; a = a.parentElement) {
      if (scrollsSideways(a, win)) { clipped = true; break; }
    }
    if (!clipped && (rect.right > width + 0.5 || rect.left < -0.5)) {
      report.overflow.push(`${describe(el)} spans ${Math.round(rect.left)}..${Math.round(rect.right)} px`);
    }
    // A box may fit while its text runs out of it (an unbreakable line in a block).
    if (!clipped && !scrollsSideways(el, win) && win.getComputedStyle(el).display !== 'inline'
        && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) {
      report.overflow.push(`${describe(el)}: content ${el.scrollWidth} px wide in a box of ${el.clientWidth} px`);
    }
  }

  // 2. Superscripts, note calls and inline code leave the line spacing alone: the paragraph
  //    is no taller than when they are made to take no height at all (line-height 0, on the
  //    baseline), which changes nothing across the line, so the text wraps the same way.
  const raised = 'sup, sub, code, kbd, samp, small, a[role~="doc-noteref"]';
  for (const p of doc.body.querySelectorAll('p')) {
    const inline = [...p.querySelectorAll(raised)];
    if (!inline.length || p.querySelector('img, br, svg, math')) continue;
    const height = p.getBoundingClientRect().height;
    const saved = inline.map(el => el.getAttribute('style'));
    for (const el of inline) {
      el.style.setProperty('line-height', '0', 'important');
      el.style.setProperty('vertical-align', 'baseline', 'important');
    }
    const flat = p.getBoundingClientRect().height;
    inline.forEach((el, i) => { if (saved[i] === null) el.removeAttribute('style'); else el.setAttribute('style', saved[i]); });
    if (height - flat > 1) report.lineGaps.push(`${describe(p)}: ${height} px tall, ${flat} px without raised text`);
  }

  // 3. End-of-chapter notes open with their number and offer a way back.
  for (const note of doc.body.querySelectorAll('aside.footnote, [role~="doc-footnote"], [role~="doc-endnote"]')) {
    const text = note.textContent.trim();
    const back = note.querySelector('a[role~="doc-backlink"]');
    if (!/^\d+/.test(text) || !back || back.getBoundingClientRect().width === 0) {
      report.notes.push(`${describe(note)}: "${text.slice(0, 30)}" number ${/^\d+/.test(text)}, back-link ${!!back}`);
    }
  }

  // 4. Tables have rules and spacing in their cells; captions keep their distance.
  for (const table of doc.body.querySelectorAll('table')) {
    const cell = table.querySelector('td, th');
    if (!cell) continue;
    const ruled = px(cell, 'borderBottomWidth') > 0 || px(table, 'borderTopWidth') > 0;
    const padded = px(cell, 'paddingLeft') >= 2 && px(cell, 'paddingTop') >= 1;
    if (!ruled || !padded) report.tables.push(`${describe(table)}: rules ${ruled}, cell padding ${padded}`);
    const caption = table.querySelector('caption');
    if (caption) {
      const words = doc.createRange();
      words.selectNodeContents(caption);
      const gap = cell.getBoundingClientRect().top - words.getBoundingClientRect().bottom;
      if (gap < 0.3 * px(caption, 'fontSize')) report.captions.push(`${describe(table)} caption: ${gap} px`);
    }
  }
  for (const caption of doc.body.querySelectorAll('figcaption')) {
    const image = caption.parentElement.querySelector('img');
    if (!image) continue;
    const gap = caption.getBoundingClientRect().top - image.getBoundingClientRect().bottom;
    if (gap < 0.3 * px(caption, 'fontSize')) report.captions.push(`figcaption: ${gap} px`);
  }

  // 5. Each heading is closer to the text it opens than to what precedes it.
  const flow = [...doc.body.querySelectorAll('h1, h2, h3, h4, h5, h6, p, blockquote, ul, ol, dl, table, figure, pre, div.table-wrap, aside, hr')]
    .filter(el => !el.parentElement.closest('p, blockquote, li, table, figure, aside'))
    .filter(el => el.getClientRects().length > 0);  // what is not laid out (a hidden landmarks nav) is not read
  for (let i = 1; i < flow.length - 1; i++) {
    const h = flow[i];
    if (!/^h[1-6]$/.test(h.localName) || /^h[1-6]$/.test(flow[i - 1].localName)) continue;
    if (flow[i - 1].contains(h) || h.contains(flow[i + 1])) continue;
    // The text a heading opens is its next sibling (a bibliography's list is a <div>), else what flows next.
    const next = h.nextElementSibling || flow[i + 1];
    const above = h.getBoundingClientRect().top - flow[i - 1].getBoundingClientRect().bottom;
    const below = next.getBoundingClientRect().top - h.getBoundingClientRect().bottom;
    if (!(below < above)) report.headings.push(`${describe(h)}: ${above} px above, ${below} px below`);
  }

  // 6. Paragraphs of one quotation are set apart.
  for (const quote of doc.body.querySelectorAll('blockquote')) {
    const paragraphs = [...quote.children].filter(c => c.localName === 'p');
    for (let i = 1; i < paragraphs.length; i++) {
      const gap = paragraphs[i].getBoundingClientRect().top - paragraphs[i - 1].getBoundingClientRect().bottom;
      if (gap < 0.3 * px(paragraphs[i], 'fontSize')) report.quotes.push(`${describe(quote)}: ${gap} px between paragraphs`);
    }
  }

  // 7. Hyphenation is declared for running text.
  const paragraph = doc.body.querySelector('p');
  if (paragraph) report.hyphens = win.getComputedStyle(paragraph).hyphens;
  if (paragraph) report.textAlign = win.getComputedStyle(paragraph).textAlign;

  // 8. Word spaces do not gape: in each paragraph, the widest space between two words on
  //    one line, against the width of a space in its font (justification stretches spaces;
  //    without hyphenation, a short line stretches them far).
  report.widestSpace = 0;
  for (const p of doc.body.querySelectorAll('p')) {
    const widest = widestSpace(p, win, doc);
    if (width < NARROW && widest[0] > GAPING) {
      report.wordGaps.push(`${describe(p)}: a space ${widest[0].toFixed(1)} times its width in "…${widest[1]}…"`);
    }
    report.widestSpace = Math.max(report.widestSpace, widest[0]);
  }
  return report;
}

// A space stretched to twice its width reads as a hole in the line. Phones get ragged text
// (epub.css), so none may gape there. Wider screens keep justified text, whose spaces depend
// on the reading system's hyphenation (headless Chromium has none): only reported there.
const GAPING = 2.0;
const NARROW = 560;  // px: epub.css's 35em at the default 16px
const spaceWidths = new Map();

function widestSpace(p, win, doc) {
  const context = doc.createElement('canvas').getContext('2d');  // the page's own fonts
  const walker = doc.createTreeWalker(p, NodeFilter.SHOW_TEXT);
  let widest = [0, ''];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (parent.closest('code, pre, sup, sub, kbd, samp')) continue;
    const style = win.getComputedStyle(parent);
    const font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const key = `${doc.URL} ${font}`;
    if (!spaceWidths.has(key)) { context.font = font; spaceWidths.set(key, context.measureText(' ').width); }
    const normal = spaceWidths.get(key) + (parseFloat(style.wordSpacing) || 0);
    const text = node.data;
    for (let i = 1; i < text.length - 1; i++) {
      if (text[i] !== ' ' || text[i - 1] === ' ' || text[i + 1] === ' ' || text[i + 1] === '\n') continue;
      const range = doc.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const rects = range.getClientRects();
      if (rects.length !== 1 || normal <= 0) continue;  // a space where the line breaks
      const before = doc.createRange();
      before.setStart(node, i - 1); before.setEnd(node, i);
      const after = doc.createRange();
      after.setStart(node, i + 1); after.setEnd(node, i + 2);
      const a = before.getClientRects()[0], b = after.getClientRects()[0];
      if (!a || !b || Math.abs(a.top - b.top) > 1) continue;  // not between two words of one line
      if (rects[0].width / normal > widest[0]) {
        widest = [rects[0].width / normal, text.slice(Math.max(0, i - 15), i + 15).replace(/\s+/g, ' ')];
      }
    }
  }
  return widest;
}

async function run() {
  const frames = [...document.querySelectorAll('iframe')];
  await Promise.all(frames.map(f => new Promise(resolve => {
    if (f.contentDocument && f.contentDocument.readyState === 'complete') resolve(); else f.addEventListener('load', resolve);
  })));
  await Promise.all(frames.map(f => f.contentDocument.fonts.ready));
  const reports = frames.map(f => { try { return measure(f); } catch (e) { return { page: f.dataset.page, error: String(e) }; } });
  const out = document.getElementById('report');
  out.textContent = JSON.stringify(reports);
}
window.addEventListener('load', () => { run(); });
