"""The PDF renderer's import leaves out what docgen's PDFs never use, and what it defers still
works when something does use it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _modules_after(code: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_the_pdf_renderer_imports_no_network_or_image_code():
    seen = _modules_after(
        "import sys, json, docgen.render.pdf\n"
        "from reportlab.platypus import paragraph\n"
        "print(json.dumps({'modules': sorted(sys.modules), 'uri_pat': type(paragraph.uri_pat).__name__}))"
    )
    modules = set(seen["modules"])
    # xml.sax.saxutils pulled these in for one escape function
    assert not modules & {"urllib.request", "http.client", "ssl"}
    # Pillow's image module is registered, not run: none of what it imports is there
    assert "PIL.Image" in modules and not modules & {"PIL.ExifTags", "PIL._imaging", "PIL.TiffTags"}
    assert seen["uri_pat"] == "_LazyPattern"


def test_what_is_deferred_works_when_used():
    seen = _modules_after(
        "import sys, json, docgen.render.pdf\n"
        "from reportlab.platypus import paragraph\n"
        "from reportlab.lib import utils\n"
        "from reportlab.platypus import xpreformatted\n"
        "m = paragraph.uri_pat.match('https://vi.wikipedia.org/wiki/Đảng')\n"
        "im = utils.Image.new('RGB', (2, 3))\n"
        "lazy = type(sys.modules['reportlab.lib.PyFontify']).__name__\n"
        "tags = xpreformatted.PyFontify.fontify('def f(): return 1')\n"
        "print(json.dumps({'match': m.group(0) if m else None, 'size': list(im.size),"
        " 'pil_image': utils._isPILImage(im), 're_compile': __import__('re').compile.__module__,"
        " 'fontify': [t[0] for t in tags], 'lazy': lazy}))"
    )
    assert seen == {"match": "https://vi.wikipedia.org/wiki/Đảng", "size": [2, 3], "pil_image": True,
                    "re_compile": "re", "fontify": ["keyword", "identifier", "keyword"], "lazy": "_LazyModule"}


def test_the_lazy_pattern_is_reportlabs_pattern():
    """In a fresh process (in this one reportlab may have been imported before docgen)."""
    seen = _modules_after(
        "import json, re, docgen.render.pdf as pdfmod\n"
        "from reportlab.platypus import paragraph\n"
        "lazy = paragraph.uri_pat\n"
        "pattern, flags = lazy._args\n"
        "real = re.compile(pattern, flags)\n"
        "texts = ['http://example.com/a?b=c', 'HTTPS://Hà-Nội.vn', 'mailto:x', 'ftp://10.0.0.1:21/x', 'no link']\n"
        "span = lambda m: m and list(m.span())\n"
        "from reportlab.lib import textsplit\n"
        "cjk = textsplit.rx\n"
        "cjk_real = re.compile(*cjk._args)\n"
        "print(json.dumps({'lazy': isinstance(lazy, pdfmod._LazyPattern), 'ignorecase': bool(flags & re.I),"
        " 'got': [span(lazy.match(t)) for t in texts], 'want': [span(real.match(t)) for t in texts],"
        " 'cjk_lazy': isinstance(cjk, pdfmod._LazyPattern),"
        " 'cjk': [cjk.split('漢字 Việt'), cjk_real.split('漢字 Việt')]}))"
    )
    assert seen["lazy"] and seen["ignorecase"] and seen["cjk_lazy"]
    assert seen["got"] == seen["want"] and seen["got"][0] == [0, 24]
    assert seen["cjk"][0] == seen["cjk"][1] == ["", "漢", "", "字", " Việt"]


def test_the_web_server_loads_pillows_image_module_whole():
    """importlib's LazyLoader is not thread-safe before Python 3.12.3, and ``docgen serve``
    renders in threads: there the module is loaded whole, before the renderer defers it."""
    seen = _modules_after(
        "import sys, json, docgen.web.app, docgen.render.pdf\n"
        "print(json.dumps({'modules': sorted(sys.modules),"
        " 'loader': type(sys.modules['PIL.Image'].__spec__.loader).__name__}))"
    )
    assert "PIL._imaging" in seen["modules"] and seen["loader"] != "LazyLoader"
