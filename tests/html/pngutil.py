"""pngutil.py - just enough PNG (RFC 2083) for the HTML report test and the
README screenshot, standard library only: decode 8-bit RGB/RGBA
non-interlaced images (what Chromium writes), count non-white pixels in a
region, crop and write back. Usage as a tool:

    python3 pngutil.py crop IN.png OUT.png X Y W H [LEVELS]

(LEVELS: posterize each channel to that many values, e.g. 32, to keep a
committed screenshot small.)
"""
import struct
import sys
import zlib

SIG = b'\x89PNG\r\n\x1a\n'


class Image:
    def __init__(self, width, height, channels, rows):
        self.width, self.height, self.channels, self.rows = width, height, channels, rows

    def pixel(self, x, y):
        o = x * self.channels
        return tuple(self.rows[y][o:o + 3])


def _chunks(data):
    pos = len(SIG)
    while pos + 8 <= len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        yield kind, data[pos + 8:pos + 8 + n]
        pos += 12 + n


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _unfilter(raw, width, height, bpp):
    stride = width * bpp
    rows, prev, pos = [], bytearray(stride), 0
    for _ in range(height):
        ftype, line = raw[pos], bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 0xff
            elif ftype == 2:
                line[i] = (line[i] + b) & 0xff
            elif ftype == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 0xff
            elif ftype == 4:
                line[i] = (line[i] + _paeth(a, b, c)) & 0xff
        rows.append(line)
        prev = line
    return rows


def read(path):
    data = open(path, 'rb').read()
    if not data.startswith(SIG):
        raise ValueError('%s: not a PNG' % path)
    idat, hdr = b'', None
    for kind, body in _chunks(data):
        if kind == b'IHDR':
            hdr = struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT':
            idat += body
    width, height, depth, ctype, _, _, interlace = hdr
    channels = {2: 3, 6: 4}.get(ctype)
    if depth != 8 or channels is None or interlace:
        raise ValueError('%s: unsupported PNG (depth %d, colour type %d)' % (path, depth, ctype))
    return Image(width, height, channels, _unfilter(zlib.decompress(idat), width, height, channels))


def non_white(img, x0, y0, w, h, threshold=240):
    """Pixels in the region with any channel darker than threshold."""
    n = 0
    for y in range(y0, min(y0 + h, img.height)):
        row, c = img.rows[y], img.channels
        for x in range(x0, min(x0 + w, img.width)):
            o = x * c
            if row[o] < threshold or row[o + 1] < threshold or row[o + 2] < threshold:
                n += 1
    return n


def _filtered(rows, bpp):
    """Per row the cheapest of the None, Sub and Up filters (RFC 2083 6, 9.6)."""
    out, prev = bytearray(), bytes(len(rows[0]) if rows else 0)
    for r in rows:
        r = bytes(r)
        sub = bytes((r[i] - (r[i - bpp] if i >= bpp else 0)) & 0xff for i in range(len(r)))
        up = bytes((a - b) & 0xff for a, b in zip(r, prev))
        ftype, best = min(((0, r), (1, sub), (2, up)),
                          key=lambda c: sum(x if x < 128 else 256 - x for x in c[1]))
        out += bytes([ftype]) + best
        prev = r
    return bytes(out)


def write(path, img, levels=0):
    """Writes img; levels > 1 posterizes each channel to that many values
    first (a screenshot for the README compresses to a third)."""
    def chunk(kind, body):
        return struct.pack('>I', len(body)) + kind + body + struct.pack(
            '>I', zlib.crc32(kind + body) & 0xffffffff)
    rows = img.rows
    if levels > 1:
        step = 255 / (levels - 1)
        lut = bytes(int(round(round(v / step) * step)) for v in range(256))
        rows = [bytes(r).translate(lut) for r in rows]
    ctype = 6 if img.channels == 4 else 2
    with open(path, 'wb') as f:
        f.write(SIG + chunk(b'IHDR', struct.pack('>IIBBBBB', img.width, img.height, 8, ctype, 0, 0, 0))
                + chunk(b'IDAT', zlib.compress(_filtered(rows, img.channels), 9))
                + chunk(b'IEND', b''))


def crop(img, x, y, w, h):
    c = img.channels
    rows = [bytearray(r[x * c:(x + w) * c]) for r in img.rows[y:y + h]]
    return Image(w, len(rows), c, rows)


def rgb(img):
    """The image without its alpha channel (smaller files)."""
    if img.channels == 3:
        return img
    rows = [bytearray(b for i, b in enumerate(r) if i % 4 != 3) for r in img.rows]
    return Image(img.width, img.height, 3, rows)


if __name__ == '__main__':
    if len(sys.argv) in (8, 9) and sys.argv[1] == 'crop':
        x, y, w, h = map(int, sys.argv[4:8])
        levels = int(sys.argv[8]) if len(sys.argv) == 9 else 0
        write(sys.argv[3], rgb(crop(read(sys.argv[2]), x, y, w, h)), levels)
    else:
        sys.exit(__doc__)
