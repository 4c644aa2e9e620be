#!/usr/bin/env python3
"""Validates tlsdiag JSON output against the committed JSON Schemas.

    validate.py [--schemas DIR] FILE...
        every FILE (one JSON document, or NDJSON: one document per line, as
        `tlsdiag live --format json` writes) against its schema
    validate.py [--schemas DIR] --run [--exit CODES] -- COMMAND ARG...
        the standard output of COMMAND (its exit status must be in CODES,
        default 0,1,3)
    validate.py [--schemas DIR] --suite TLSDIAG SOURCE_ROOT [SHARED_DIR]
        the test-suite sweep (meson test --suite schema): every committed
        golden tests/golden/*/expected.json; fresh `tlsdiag analyze
        --deterministic --format json` output for every capture in
        tests/data/captures and every ICM sample (*.trc) in SHARED_DIR/icm-samples
        (skipped when SHARED_DIR is absent); fresh `tlsdiag check --format json`
        output for the arguments of every check golden that expects a report.

The schema is chosen per document: "command": "check" -> docs/check.schema.json,
otherwise docs/report.schema.json (the `analyze` report, DESIGN.md "JSON
report (contract, schema version 1)").

Needs the `jsonschema` module (Debian: python3-jsonschema). Without it this
does not pass: it exits 77 (meson's "skipped") with a message saying so.
Exit status: 0 all valid, 1 some invalid, 2 usage or unreadable input, 77 no
jsonschema module.
"""
import glob
import json
import os
import subprocess
import sys

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SCHEMAS = os.path.normpath(os.path.join(HERE, '..', '..', 'docs'))
CHECK_TIME = '1798761600'  # tests/golden/run-check.sh: 2027-01-01T00:00:00Z

try:
    import jsonschema
except ImportError:
    jsonschema = None


class Validators:
    def __init__(self, schema_dir):
        self.by_name = {}
        for name in ('report', 'check'):
            path = os.path.join(schema_dir, name + '.schema.json')
            with open(path, encoding='utf-8') as f:
                schema = json.load(f)
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)  # a broken schema must not pass anything
            self.by_name[name] = (path, cls(schema))

    def errors(self, doc):
        """(schema file, sorted list of 'where: what' strings) for one document."""
        name = 'check' if isinstance(doc, dict) and doc.get('command') == 'check' else 'report'
        path, v = self.by_name[name]
        out = []
        for e in v.iter_errors(doc):
            out.extend(describe(e))
        return os.path.basename(path), sorted(set(out))


def json_path(parts):
    s = '$'
    for p in parts:
        s += '[%d]' % p if isinstance(p, int) else '.' + str(p)
    return s


def describe(e):
    """Leaf errors of a oneOf/anyOf/if-then are the useful ones."""
    if e.context:
        out = []
        subs = [c for c in e.context if not (c.validator == 'type' and c.validator_value == 'null')]
        for sub in subs or e.context:
            out.extend(describe(sub))
        return out
    return ['%s: %s (schema: %s)' % (json_path(e.absolute_path), e.message,
                                     '/'.join(str(p) for p in e.absolute_schema_path))]


def parse_documents(text):
    """One JSON document, or NDJSON."""
    text = text.strip()
    if not text:
        raise ValueError('no JSON output')
    try:
        return [json.loads(text)]
    except json.JSONDecodeError as whole:
        docs = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                docs.append(json.loads(line))
            except json.JSONDecodeError:
                raise ValueError('not JSON (%s); nor NDJSON (line %d)' % (whole, n))
        return docs


class Run:
    def __init__(self, validators):
        self.v = validators
        self.checked = 0
        self.failed = 0

    def text(self, label, text):
        try:
            docs = parse_documents(text)
        except ValueError as e:
            self.fail(label, [str(e)])
            return
        for i, doc in enumerate(docs):
            schema, errs = self.v.errors(doc)
            where = label if len(docs) == 1 else '%s (document %d)' % (label, i + 1)
            self.checked += 1
            if errs:
                self.fail('%s against %s' % (where, schema), errs)

    def file(self, path):
        try:
            with open(path, encoding='utf-8') as f:
                text = f.read()
        except OSError as e:
            self.fail(path, ['cannot read: %s' % e])
            return
        self.text(path, text)

    def command(self, argv, ok_codes, cwd=None):
        label = ' '.join(argv)
        try:
            p = subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=120)
        except (OSError, subprocess.TimeoutExpired) as e:
            self.fail(label, ['did not run: %s' % e])
            return
        if p.returncode not in ok_codes:
            self.fail(label, ['exit status %d, want one of %s; stderr: %s'
                              % (p.returncode, ok_codes,
                                 p.stderr.decode('utf-8', 'replace').strip()[:500])])
            return
        self.text(label, p.stdout.decode('utf-8', 'strict'))

    def fail(self, label, msgs):
        self.failed += 1
        print('INVALID: %s' % label)
        for m in msgs[:40]:
            print('    ' + m)
        if len(msgs) > 40:
            print('    ... %d more' % (len(msgs) - 40))


def suite(run, tlsdiag, root, shared):
    tlsdiag = os.path.abspath(tlsdiag)
    golden = os.path.join(root, 'tests', 'golden')
    # 1. the committed goldens (analyze and check reports)
    for path in sorted(glob.glob(os.path.join(golden, '*', 'expected.json'))):
        run.file(path)
    # 2. fresh analyze output on every fixture capture and every ICM sample
    inputs = []
    capdir = os.path.join(root, 'tests', 'data', 'captures')
    for path in sorted(os.listdir(capdir)):
        if path.endswith(('.pcap', '.pcapng', '.pcap.gz', '.pcapng.gz')):
            inputs.append([os.path.join(capdir, path)])
    keyed = os.path.join(capdir, 'tls13-mutual.pcap')
    if os.path.exists(keyed + '.keylog'):  # decrypted TLS 1.3: the hidden messages appear
        inputs.append(['--keylog', keyed + '.keylog', keyed])
    samples = os.path.join(shared, 'icm-samples') if shared else None
    if samples and os.path.isdir(samples):
        for path in sorted(glob.glob(os.path.join(samples, '*.trc'))):
            inputs.append([path])
    else:
        print('note: %s is absent: ICM samples not checked' % samples)
    for args in inputs:
        run.command([tlsdiag, 'analyze', '--deterministic', '--format', 'json'] + args, (0, 1, 3),
                    cwd=root)
    # 3. fresh check output for the check goldens' arguments
    for case in sorted(glob.glob(os.path.join(golden, 'check-*'))):
        try:
            with open(os.path.join(case, 'args'), encoding='utf-8') as f:
                args = f.read().split()
        except OSError:
            continue
        try:
            with open(os.path.join(case, 'exit'), encoding='utf-8') as f:
                want = int(f.read().strip() or 0)
        except (OSError, ValueError):
            want = 0
        if want == 2:  # usage error: no report is written
            continue
        run.command([tlsdiag, 'check', '--deterministic', '--time', CHECK_TIME, '--format', 'json']
                    + args, (0, 1, 3), cwd=root)


def module_version():
    try:
        from importlib import metadata
        return metadata.version('jsonschema')
    except Exception:  # noqa: BLE001 - only for the message
        return '?'


def main(argv):
    args = argv[1:]
    schema_dir = DEFAULT_SCHEMAS
    if args[:1] == ['--schemas'] and len(args) >= 2:
        schema_dir, args = args[1], args[2:]
    if not args or args[0] in ('-h', '--help'):
        print(__doc__.strip())
        return 0 if args else 2
    if jsonschema is None:
        print('SKIP: the python module `jsonschema` is not importable by %s; install it '
              '(Debian: apt-get install python3-jsonschema) - the JSON outputs were NOT validated'
              % sys.executable)
        return SKIP
    try:
        run = Run(Validators(schema_dir))
    except (OSError, ValueError, jsonschema.exceptions.SchemaError) as e:
        print('ERROR: schema in %s unusable: %s' % (schema_dir, e))
        return 2
    if args[0] == '--run':
        codes = (0, 1, 3)
        args = args[1:]
        if args[:1] == ['--exit'] and len(args) >= 2:
            codes = tuple(int(c) for c in args[1].split(','))
            args = args[2:]
        if args[:1] == ['--']:
            args = args[1:]
        if not args:
            print('usage: validate.py --run [--exit CODES] -- COMMAND ARG...')
            return 2
        run.command(args, codes)
    elif args[0] == '--suite':
        if len(args) not in (3, 4):
            print('usage: validate.py --suite TLSDIAG SOURCE_ROOT [SHARED_DIR]')
            return 2
        suite(run, args[1], os.path.abspath(args[2]), args[3] if len(args) == 4 else None)
    else:
        for path in args:
            run.file(path)
    if run.checked == 0 and run.failed == 0:
        print('ERROR: nothing was validated')
        return 2
    print('%d JSON documents checked, %d invalid (jsonschema %s, schemas in %s)'
          % (run.checked, run.failed, module_version(), schema_dir))
    return 1 if run.failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
