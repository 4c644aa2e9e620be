#!/usr/bin/env python3
"""html_test.py TLSDIAG SOURCE_ROOT - the HTML report in a real browser.

Renders the motivating failing capture (tests/data/captures/tls12-no-fitting-ca.pcap),
a hostile ICM trace (tests/golden/html-hostile-trace/input.trc) and a plain one
(tests/golden/html-merged/input.trc) with
`tlsdiag analyze --format html`, then:

- statically: the page is valid UTF-8 and its markup has no <script>,
  no element that loads anything (img, link, iframe, ...), no event-handler
  attribute, no src/href/url( to another host; input text stays text;
- opens it in headless Chromium (Debian's `chromium`) with a JSON net log:
  --dump-dom must show the ladder SVG with its arrows and the failure
  marker and every finding id and title of the JSON report of the same
  input; the net log must show no request that the page made (Chromium's
  own update/sign-in pings carry initiator "not an origin" and are not the
  page's; a canary page with an <img src=http://...> proves the check sees
  a page's request);
- takes a screenshot (--window-size=1280,3000: the whole failed connection) and
  checks the ladder is drawn: the two lifeline boxes, the red fatal alert
  and failure marker, and enough non-white pixels between them;
- renders an ICM trace alone: its ladder cites trace lines, not frames;
- prints a successful handshake to PDF: @media print opens the folded
  <details> (as many pages as with every <details open>).

Exits 77 (skip) when Chromium is not installed.
"""
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pngutil  # noqa: E402

TIMEOUT = 90
LOADERS = {'script', 'img', 'link', 'iframe', 'frame', 'object', 'embed', 'base', 'audio',
           'video', 'source', 'track', 'image', 'use', 'feimage', 'form', 'input', 'meta'}
QUIET = ['--disable-background-networking', '--disable-component-update', '--disable-sync',
         '--disable-default-apps', '--no-first-run', '--no-default-browser-check',
         '--disable-domain-reliability', '--no-pings']


def find_chromium():
    for name in ('chromium', 'chromium-browser', 'google-chrome'):
        path = shutil.which(name)
        if path:
            return path
    return '/usr/bin/chromium' if os.access('/usr/bin/chromium', os.X_OK) else None


class Markup(html.parser.HTMLParser):
    """Collects what in the markup could run code or fetch something."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems, self.styles, self.in_style = [], 0, False
        self.svgs, self.arrows, self.fail_markers, self.rules = 0, 0, 0, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in LOADERS and not (tag == 'meta' and ('charset' in a or 'name' in a or
                                                      a.get('http-equiv') ==
                                                      'Content-Security-Policy')):
            self.problems.append('element <%s %s>' % (tag, attrs))
        for k, v in attrs:
            v = (v or '').strip().lower()
            if k.startswith('on') or k in ('src', 'srcset', 'xlink:href', 'background', 'action'):
                self.problems.append('attribute %s=%r on <%s>' % (k, v, tag))
            if k == 'href' and not v.startswith('#'):
                self.problems.append('href %r on <%s>' % (v, tag))
            if k == 'style' and ('url(' in v or 'expression' in v):
                self.problems.append('style %r on <%s>' % (v, tag))
        cls = a.get('class') or ''
        if tag == 'style':
            self.styles += 1
            self.in_style = True
        if tag == 'svg' and 'ladder' in cls.split():
            self.svgs += 1
        if tag == 'g' and 'arrow' in cls.split():
            self.arrows += 1
        if tag == 'g' and 'fail-marker' in cls.split():
            self.fail_markers += 1
        if tag == 'article' and 'finding' in cls.split():
            self.rules.append(a.get('data-rule'))

    def handle_endtag(self, tag):
        if tag == 'style':
            self.in_style = False

    def handle_data(self, data):
        if self.in_style and ('url(' in data or '@import' in data or '@font-face' in data):
            self.problems.append('CSS that loads something: %r' % data[:80])


def check_markup(name, text, errs):
    m = Markup()
    m.feed(text)
    m.close()
    errs.extend('%s: %s' % (name, p) for p in m.problems)
    if m.styles != 1:
        errs.append('%s: %d <style> elements, want the one in <head>' % (name, m.styles))
    return m


def chromium(browser, tmp, tag, url, *extra):
    """Runs Chromium once with its own profile and net log; returns (stdout, netlog path)."""
    netlog = os.path.join(tmp, tag + '-netlog.json')
    cmd = [browser, '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars',
           '--user-data-dir=' + os.path.join(tmp, tag + '-profile'),
           '--log-net-log=' + netlog] + QUIET + list(extra) + [url]
    p = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT)
    if p.returncode != 0:
        raise RuntimeError('%s: chromium exit %d: %s' % (tag, p.returncode, p.stderr[-2000:]))
    return p.stdout.decode('utf-8', 'replace'), netlog


def page_requests(netlog):
    """URLs the page asked the network for (not file:, not data:, not Chromium's own)."""
    log = json.load(open(netlog))
    names = {v: k for k, v in log['constants']['logEventTypes'].items()}
    found = []
    for e in log['events']:
        p = e.get('params') or {}
        url = p.get('url')
        if names.get(e['type']) != 'URL_REQUEST_START_JOB' or not url:
            continue
        if url.startswith(('file:', 'data:')):
            continue
        own = p.get('initiator') == 'not an origin' and 'file://' not in str(
            p.get('network_isolation_key', ''))
        if not own:
            found.append(url)
    return found


def check_screenshot(png, errs):
    img = pngutil.read(png)
    box_rows, red_rows, red = [], [], 0
    for y in range(img.height):
        row, c = img.rows[y], img.channels
        boxes = reds = 0
        for x in range(0, img.width, 2):
            r, g, b = row[x * c], row[x * c + 1], row[x * c + 2]
            if abs(r - 0xee) < 6 and abs(g - 0xf4) < 6 and b > 0xf8:
                boxes += 1
            elif r > 190 and g < 90 and b < 80:
                reds += 1
        if boxes > 100:
            box_rows.append(y)
        if reds:
            red_rows.append(y)
            red += reds
    if len(box_rows) < 30:
        errs.append('screenshot: the two lifeline boxes are not drawn (%d rows)' % len(box_rows))
        return
    if red < 150:
        errs.append('screenshot: no red fatal alert / failure marker (%d red pixels)' % red)
        return
    top = box_rows[0]
    bottom = max(r for r in red_rows if r > top) if any(r > top for r in red_rows) else top
    if bottom - top < 200:
        errs.append('screenshot: ladder too short (%d..%d)' % (top, bottom))
    ink = pngutil.non_white(img, 0, top, img.width, bottom - top + 1)
    if ink < 8000:
        errs.append('screenshot: ladder region %d..%d nearly blank (%d pixels)' % (top, bottom, ink))
    print('screenshot: ladder rows %d..%d, %d non-white, %d red pixels' % (top, bottom, ink, red))


def check_trace(browser, tlsdiag, root, tmp, errs):
    """An ICM trace alone: the ladder is drawn from what the trace states,
    cited by trace line, and the failure is marked."""
    page = os.path.join(tmp, 'trace.html')
    render(tlsdiag, root, page, 'html', 'tests/golden/html-merged/input.trc')
    dom, netlog = chromium(browser, tmp, 'trace', 'file://' + page, '--dump-dom')
    m = check_markup('trace DOM', dom, errs)
    if m.svgs != 1 or m.arrows < 2 or m.fail_markers != 1:
        errs.append('trace DOM: %d ladders, %d arrows, %d failure markers' %
                    (m.svgs, m.arrows, m.fail_markers))
    if not re.search(r'CertificateRequest \(line \d+\)', dom) or '(frame' in dom:
        errs.append('trace DOM: the ladder does not cite trace lines')
    if 'no_fitting_ca' not in m.rules:
        errs.append('trace DOM: finding no_fitting_ca missing (have %r)' % m.rules)
    errs.extend('trace.html requested %s' % u for u in page_requests(netlog))


def pdf_pages(browser, tmp, tag, page):
    pdf = os.path.join(tmp, tag + '.pdf')
    chromium(browser, tmp, tag, 'file://' + page, '--no-pdf-header-footer', '--print-to-pdf=' + pdf)
    return len(re.findall(rb'/Type\s*/Page\b', open(pdf, 'rb').read()))


def check_print(browser, tlsdiag, root, tmp, errs):
    """Printing opens every <details>: the successful handshake, folded on
    screen, prints as many pages as the same page with all details open."""
    page = os.path.join(tmp, 'ok.html')
    render(tlsdiag, root, page, 'html', 'tests/data/captures/tls12-mutual-ok.pcap')
    opened = os.path.join(tmp, 'ok-open.html')
    open(opened, 'w').write(open(page).read().replace('<details ', '<details open '))
    folded, unfolded = pdf_pages(browser, tmp, 'print', page), pdf_pages(browser, tmp, 'print-open',
                                                                           opened)
    if folded != unfolded or folded < 2:
        errs.append('print: %d pages, %d with all details open' % (folded, unfolded))
    print('print: %d pages (all details open: %d)' % (folded, unfolded))


def render(tlsdiag, root, out, fmt, *inputs):
    p = subprocess.run([tlsdiag, 'analyze', '--deterministic', '--quiet', '--format', fmt] +
                       list(inputs), cwd=root, capture_output=True, timeout=TIMEOUT)
    if p.returncode not in (0, 1):
        raise RuntimeError('tlsdiag exit %d: %s' % (p.returncode, p.stderr.decode()))
    if out:
        open(out, 'wb').write(p.stdout)
    return p.stdout


def main():
    tlsdiag, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    browser = find_chromium()
    if not browser:
        print('SKIP: chromium is not installed (apt-get install chromium)')
        return 77
    capture = 'tests/data/captures/tls12-no-fitting-ca.pcap'
    hostile = 'tests/golden/html-hostile-trace/input.trc'
    errs = []
    with tempfile.TemporaryDirectory(prefix='tlsdiag-html-') as tmp:
        page = os.path.join(tmp, 'report.html')
        raw = render(tlsdiag, root, page, 'html', capture)
        report = json.loads(render(tlsdiag, root, None, 'json', capture))
        bad = os.path.join(tmp, 'hostile.html')
        raw_bad = render(tlsdiag, root, bad, 'html', hostile)
        for name, data in (('report.html', raw), ('hostile.html', raw_bad)):
            try:
                check_markup(name, data.decode('utf-8'), errs)
            except UnicodeDecodeError as e:
                errs.append('%s: not UTF-8: %s' % (name, e))

        text = raw.decode('utf-8', 'replace').lower()
        if '<script' in text or re.search(r'(src\s*=|url\()\s*["\']?\s*(https?:)?//', text):
            errs.append('report.html: <script>, or src=/url( to another host, in the page')

        dom, netlog = chromium(browser, tmp, 'dom', 'file://' + page, '--dump-dom')
        m = check_markup('DOM', dom, [])
        if m.svgs != 1 or m.arrows < 11:
            errs.append('DOM: %d ladder SVGs with %d arrows, want 1 with >= 11' % (m.svgs, m.arrows))
        if m.fail_markers != 1 or 'handshake failed here' not in dom:
            errs.append('DOM: %d failure markers, want 1' % m.fail_markers)
        for f in report['connections'][0]['findings']:
            if f['rule'] not in m.rules:
                errs.append('DOM: finding %s missing (have %r)' % (f['rule'], m.rules))
            title = html.escape(f['title'], quote=False)
            if title not in dom:
                errs.append('DOM: title of %s missing: %r' % (f['rule'], f['title']))
        for ca in report['connections'][0]['certificate_request']['ca_names']:
            if html.escape(ca, quote=False) not in dom:
                errs.append('DOM: CA name %r not in the page text' % ca)
        errs.extend('report.html requested %s' % u for u in page_requests(netlog))

        shot = os.path.join(tmp, 'shot.png')
        # Tall enough for the ladder below two findings: headless Chromium
        # does not paint the top of a viewport scrolled to a #fragment.
        _, netlog2 = chromium(browser, tmp, 'shot', 'file://' + page, '--screenshot=' + shot,
                              '--window-size=1280,3000')
        errs.extend('report.html (screenshot) requested %s' % u for u in page_requests(netlog2))
        check_screenshot(shot, errs)

        hdom, netlog3 = chromium(browser, tmp, 'hostile', 'file://' + bad, '--dump-dom')
        errs.extend('hostile.html requested %s' % u for u in page_requests(netlog3))
        check_markup('hostile DOM', hdom, errs)  # input text stayed text after parsing

        check_trace(browser, tlsdiag, root, tmp, errs)
        check_print(browser, tlsdiag, root, tmp, errs)

        canary = os.path.join(tmp, 'canary.html')
        open(canary, 'w').write('<!DOCTYPE html><img src="http://127.0.0.1:9/canary.png">')
        _, netlog4 = chromium(browser, tmp, 'canary', 'file://' + canary, '--dump-dom')
        if not any('canary.png' in u for u in page_requests(netlog4)):
            errs.append('self-check: the net log check does not see a page request')

    for e in errs:
        print('FAIL:', e)
    print('%d passed, %d failed' % (0 if errs else 1, 1 if errs else 0))
    return 1 if errs else 0


if __name__ == '__main__':
    sys.exit(main())
