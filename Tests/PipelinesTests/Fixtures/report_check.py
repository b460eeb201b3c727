"""Independent checks of the HTML report, for the browser tests.

    python3 report_check.py dom FILE   # a DOM dumped by chromium --dump-dom
    python3 report_check.py png FILE   # a screenshot

`dom` prints JSON: the page's text, the script elements, every attribute
whose name starts with "on" (event handlers), and each <svg> with its role,
<title>, <desc> and whether aria-labelledby names them. `png` prints JSON
with the size and the share of pixels that are not near-white.
"""
import json, struct, sys, zlib
from html.parser import HTMLParser


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.scripts, self.handlers, self.svgs, self.links = [], 0, [], [], []
        self.stack, self.svg, self.field = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.handlers.append([tag, name, value])
        if tag == "script":
            self.scripts += 1
        if tag in ("a", "link") and a.get("href"):
            self.links.append(a["href"])
        if tag == "svg":
            self.svg = {"role": a.get("role"), "labelledby": (a.get("aria-labelledby") or "").split(), "title": "", "desc": "", "titleId": None, "descId": None}
        elif self.svg is not None and tag in ("title", "desc") and "svg" == (self.stack[-1] if self.stack else None):
            self.field = tag
            self.svg[tag + "Id"] = a.get("id")
        self.stack.append(tag)

    def handle_endtag(self, tag):
        while self.stack:
            top = self.stack.pop()
            if top == tag:
                break
        if tag in ("title", "desc"):
            self.field = None
        if tag == "svg" and self.svg is not None:
            s = self.svg
            s["labelled"] = s["titleId"] in s["labelledby"] and s["descId"] in s["labelledby"]
            self.svgs.append(s)
            self.svg = None

    def handle_data(self, data):
        if self.field and self.svg is not None:
            self.svg[self.field] += data
        if "head" not in self.stack:
            self.text.append(data)


def dom(path):
    p = Page()
    with open(path, encoding="utf-8") as f:
        p.feed(f.read())
    text = " ".join(" ".join(p.text).split())
    print(json.dumps({"text": text, "scripts": p.scripts, "handlers": p.handlers, "svgs": p.svgs, "links": p.links}, ensure_ascii=False))


def png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), "8-bit RGB(A) expected"
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    prev = bytearray(stride)
    ink = 0
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = prev[i]
            ul = prev[i - channels] if i >= channels else 0
            if f == 1: line[i] = (line[i] + left) & 255
            elif f == 2: line[i] = (line[i] + up) & 255
            elif f == 3: line[i] = (line[i] + (left + up) // 2) & 255
            elif f == 4:
                p = left + up - ul
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - ul)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else ul)) & 255
        for x in range(0, stride, channels):
            if min(line[x], line[x + 1], line[x + 2]) < 200:
                ink += 1
        prev = line
    print(json.dumps({"width": width, "height": height, "ink": ink / (width * height)}))


if __name__ == "__main__":
    {"dom": dom, "png": png}[sys.argv[1]](sys.argv[2])
