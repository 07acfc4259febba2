#!/usr/bin/env python3
"""Structured helpers of the e2e checks (run in the guest by checks.sh).

  e2e.py units CONFDIR            device.conf as shell assignments (U_ids, U_<id>_<field>)
  e2e.py contents CONFDIR LIB     library_contents.LIB as shell assignments (LCT_slot_N, ...)
  e2e.py mtx MTXSTATUS JSON [EXPECT...]
                                  compare `mtx status` with `vtlcmd LIB status --json`, and
                                  both with EXPECT words: d1=PCL d2=- s5=PCL m1=- (drive,
                                  slot, mail slot element = barcode or '-' for empty)
  e2e.py vpd83 RAWFILE NAA VENDOR PRODUCT SERIAL
                                  check a raw VPD page 0x83 for the NAA and T10 designators
  e2e.py json FILE KEY[.KEY...]   print one value of a JSON document
  e2e.py addr JSON TYPE NUMBER    the element address of element NUMBER of TYPE (picker,
                                  slot, map, drive) in a `vtlcmd LIB status --json`

Each command prints what it checked; exit status 0 = all as expected, 1 = a mismatch (the
lines starting with 'FAIL:' say which), 2 = unusable input.
"""
import json
import re
import shlex
import sys


def parse_device_conf(path):
    """Return a list of stanzas: dict(kind, id, channel, target, lun, keys={key: value})."""
    units = []
    cur = None
    head = re.compile(r'^(Library|Drive):\s*(\d+)\s+CHANNEL:\s*(\d+)\s+TARGET:\s*(\d+)\s+LUN:\s*(\d+)')
    for line in open(path, encoding='utf-8'):
        line = line.rstrip('\n')
        m = head.match(line)
        if m:
            cur = dict(kind=m.group(1).lower(), id=int(m.group(2)), channel=int(m.group(3)),
                       target=int(m.group(4)), lun=int(m.group(5)), keys={})
            units.append(cur)
            continue
        if not line.strip():
            cur = None
            continue
        if cur is None or line.lstrip().startswith('#') or ':' not in line:
            continue
        k, v = line.strip().split(':', 1)
        cur['keys'][k.strip()] = v.strip()
    return units


def cmd_units(confdir):
    units = parse_device_conf(confdir + '/device.conf')
    out = ['U_ids=' + shlex.quote(' '.join(str(u['id']) for u in units))]
    for u in units:
        k = u['keys']
        lib = k.get('Library ID', '')
        m = re.match(r'(\d+)\s+Slot:\s*(\d+)', lib)
        fields = dict(
            kind=u['kind'], ctl='%d:%d:%d' % (u['channel'], u['target'], u['lun']),
            vendor=k.get('Vendor identification', ''),
            product=k.get('Product identification', ''),
            revision=k.get('Product revision level', ''),
            serial=k.get('Unit serial number', ''),
            naa=k.get('NAA', ''),
            home=k.get('Home directory', ''),
            library=m.group(1) if m else '',
            slot=str(int(m.group(2))) if m else '',
        )
        for f, v in fields.items():
            out.append('U_%d_%s=%s' % (u['id'], f, shlex.quote(v)))
    print('\n'.join(out))


def parse_contents(path):
    """{('drive'|'picker'|'map'|'slot', n): barcode or None}"""
    el = {}
    rx = re.compile(r'^(Drive|Picker|MAP|Slot)\s+(\d+):\s*(\S*)')
    for line in open(path, encoding='utf-8'):
        m = rx.match(line)
        if m:
            kind = m.group(1).lower()
            bc = m.group(3) or None
            if kind == 'drive':
                bc = None  # a word after Drive N: is a serial number override, not a cartridge
            el[(kind, int(m.group(2)))] = bc
    return el


def cmd_contents(confdir, lib):
    el = parse_contents('%s/library_contents.%s' % (confdir, lib))
    out = []
    for (kind, n), bc in sorted(el.items()):
        out.append('LCT_%s_%d=%s' % (kind, n, shlex.quote(bc or '')))
    counts = {}
    for (kind, _n) in el:
        counts[kind] = counts.get(kind, 0) + 1
    for kind in ('drive', 'picker', 'map', 'slot'):
        out.append('LCT_%s_count=%d' % (kind, counts.get(kind, 0)))
    print('\n'.join(out))


def parse_mtx(text):
    """mtx status → {'d': {1: bc|None}, 's': {n: bc|None}, 'm': {k: bc|None}, 'src': {drive: slot}}
    (drives numbered from 1 as vtlcmd does; mtx's Data Transfer Element 0 is drive 1)."""
    st = {'d': {}, 's': {}, 'm': {}, 'src': {}}
    head = re.search(r'Storage Changer \S+:(\d+) Drives, (\d+) Slots \( (\d+) Import/Export \)', text)
    if not head:
        raise ValueError('no "Storage Changer" header in mtx status')
    st['header'] = tuple(int(x) for x in head.groups())
    slots = st['header'][1] - st['header'][2]
    dte = re.compile(r'^Data Transfer Element (\d+):(Empty|Full)'
                     r'(?: \(Storage Element (\d+) Loaded\))?(?::VolumeTag\s*=\s*(\S+))?')
    se = re.compile(r'^\s*Storage Element (\d+)( IMPORT/EXPORT)?:(Empty|Full)'
                    r'(?:\s*:VolumeTag\s*=\s*(\S+))?')
    for line in text.splitlines():
        m = dte.match(line)
        if m:
            n = int(m.group(1)) + 1
            full = m.group(2) == 'Full'
            st['d'][n] = (m.group(4) or '?') if full else None
            if full and m.group(3):
                st['src'][n] = int(m.group(3))
            continue
        m = se.match(line)
        if m:
            n = int(m.group(1))
            full = m.group(3) == 'Full'
            bc = (m.group(4) or '?') if full else None
            if m.group(2):
                st['m'][n - slots] = bc
            else:
                st['s'][n] = bc
    return st


def parse_status_json(doc):
    st = {'d': {}, 's': {}, 'm': {}, 'src': {}, 'p': {}}
    key = {'drive': 'd', 'slot': 's', 'map': 'm', 'picker': 'p'}
    by_addr = {}
    for e in doc['elements']:
        by_addr[e['address']] = (e['type'], e['number'])
    for e in doc['elements']:
        k = key[e['type']]
        st[k][e['number']] = e.get('barcode')
        if e['type'] == 'drive' and e.get('barcode') and e.get('source') is not None:
            src = by_addr.get(e['source'])
            if src and src[0] == 'slot':
                st['src'][e['number']] = src[1]
    return st


def show(v):
    return v if v else '-'


def cmd_mtx(mtxfile, jsonfile, expect):
    bad = []
    try:
        mtx = parse_mtx(open(mtxfile, encoding='utf-8', errors='replace').read())
        doc = json.load(open(jsonfile, encoding='utf-8'))
        js = parse_status_json(doc)
    except (ValueError, KeyError, OSError) as e:
        print('FAIL: cannot parse: %s' % e)
        return 2
    names = {'d': 'drive', 's': 'slot', 'm': 'map'}
    for k in ('d', 's', 'm'):
        if sorted(mtx[k]) != sorted(js[k]):
            bad.append('%s elements: mtx has %s, vtlcmd has %s' % (names[k], sorted(mtx[k]), sorted(js[k])))
            continue
        for n in sorted(mtx[k]):
            if mtx[k][n] != js[k][n]:
                bad.append('%s %d: mtx says %s, vtlcmd says %s' % (names[k], n, show(mtx[k][n]), show(js[k][n])))
    for n, slot in mtx['src'].items():
        if js['src'].get(n) != slot:
            bad.append('drive %d: mtx says loaded from slot %d, vtlcmd says source %s' % (n, slot, js['src'].get(n)))
    if any(js['p'].values()):
        bad.append('the picker holds a cartridge: %s' % js['p'])
    for w in expect:
        m = re.match(r'^([dsm])(\d+)=(\S+)$', w)
        if not m:
            print('FAIL: bad expectation %r' % w)
            return 2
        k, n, want = m.group(1), int(m.group(2)), m.group(3)
        want = None if want == '-' else want
        got = mtx[k].get(n, 'absent')
        if got != want:
            bad.append('%s %d holds %s, expected %s' % (names[k], n, show(got), show(want)))
        else:
            print('ok: %s %d holds %s' % (names[k], n, show(got)))
    print('mtx and vtlcmd status compared: %d drives, %d slots, %d mail slots' %
          (len(mtx['d']), len(mtx['s']), len(mtx['m'])))
    for b in bad:
        print('FAIL: ' + b)
    return 1 if bad else 0


def cmd_vpd83(rawfile, naa, vendor, product, serial):
    data = open(rawfile, 'rb').read()
    bad = []
    if len(data) < 4 or data[1] != 0x83:
        print('FAIL: not a VPD page 0x83: %s' % data[:8].hex(' '))
        return 1
    plen = int.from_bytes(data[2:4], 'big')
    body = data[4:4 + plen]
    descs = []
    i = 0
    while i + 4 <= len(body):
        code_set, dtype, dlen = body[i] & 0x0f, body[i + 1] & 0x0f, body[i + 3]
        assoc = (body[i + 1] >> 4) & 0x03
        descs.append((code_set, dtype, assoc, body[i + 4:i + 4 + dlen]))
        i += 4 + dlen
    for d in descs:
        print('designator: code set %d, type %d, association %d: %s' % (d[0], d[1], d[2], d[3].hex(' ')))
    want_naa = bytes(int(x, 16) for x in naa.split(':'))
    if not any(d[1] == 3 and d[0] == 1 and d[2] == 0 and d[3] == want_naa for d in descs):
        bad.append('no NAA designator (binary, logical unit) %s' % want_naa.hex(':'))
    else:
        print('ok: NAA designator %s' % want_naa.hex(':'))
    t10 = vendor.ljust(8).encode() + product.ljust(16).encode() + serial.encode()
    if not any(d[1] == 1 and d[0] == 2 and d[2] == 0 and d[3].rstrip(b' \0') == t10.rstrip() for d in descs):
        bad.append('no T10 vendor ID designator %r' % t10)
    else:
        print('ok: T10 vendor ID designator %r' % t10.decode())
    for b in bad:
        print('FAIL: ' + b)
    return 1 if bad else 0


def cmd_json(path, key):
    v = json.load(open(path, encoding='utf-8'))
    for k in key.split('.'):
        v = v[int(k)] if isinstance(v, list) else v.get(k)
    print('' if v is None else (json.dumps(v) if isinstance(v, (dict, list)) else v))
    return 0


def cmd_addr(path, kind, number):
    for e in json.load(open(path, encoding='utf-8'))['elements']:
        if e['type'] == kind and e['number'] == int(number):
            print(e['address'])
            return 0
    print('no %s %s' % (kind, number), file=sys.stderr)
    return 1


def main(argv):
    if len(argv) >= 2 and argv[0] == 'units':
        return cmd_units(argv[1]) or 0
    if len(argv) >= 3 and argv[0] == 'contents':
        return cmd_contents(argv[1], argv[2]) or 0
    if len(argv) >= 3 and argv[0] == 'mtx':
        return cmd_mtx(argv[1], argv[2], argv[3:])
    if len(argv) == 6 and argv[0] == 'vpd83':
        return cmd_vpd83(*argv[1:])
    if len(argv) == 3 and argv[0] == 'json':
        return cmd_json(argv[1], argv[2])
    if len(argv) == 4 and argv[0] == 'addr':
        return cmd_addr(argv[1], argv[2], argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
