"""Compare two DOCX packages part by part: the compiled render against plain docxtpl.

Every member must be in both zips; XML parts must be equal after C14N (read without the
whitespace between elements, as python-docx reads them), other parts byte for byte. Two
parts are compared by what they say instead, because python-docx (under plain docxtpl) writes
them anew on every save while docgen copies them from the template:

* ``[Content_Types].xml``: python-docx rebuilds it from the parts it writes, dropping
  ``Default`` entries that no part uses (Word templates carry one for ``jpeg``). Compared:
  the content type every member resolves to.
* ``docProps/core.xml``: docxtpl sets six properties, so python-docx adds an empty
  ``dc:identifier`` and ``dc:language`` where the template has none. Compared: the value of
  every core property, as python-docx reads it.
"""

from __future__ import annotations

import io
import zipfile

from docx.opc.package import OpcPackage
from lxml import etree

_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_CORE = ("author", "category", "comments", "content_status", "created", "identifier", "keywords", "language",
         "last_modified_by", "last_printed", "modified", "revision", "subject", "title", "version")


_READ = etree.XMLParser(remove_blank_text=True)


def c14n(xml: bytes) -> bytes:
    """Canonical XML, read as python-docx reads a part: whitespace between elements (which
    LibreOffice writes into .rels and which python-docx drops) is not content. Whitespace in
    a text element, such as ``<w:t> </w:t>``, is kept."""
    return etree.tostring(etree.fromstring(xml, _READ), method="c14n")


def content_types(z: zipfile.ZipFile) -> dict[str, str]:
    """The content type of every member, resolved from ``[Content_Types].xml``."""
    root = etree.fromstring(z.read("[Content_Types].xml"))
    defaults = {e.get("Extension").lower(): e.get("ContentType") for e in root.iter(_CT + "Default")}
    overrides = {e.get("PartName").lower(): e.get("ContentType") for e in root.iter(_CT + "Override")}
    out = {}
    for name in z.namelist():
        if name == "[Content_Types].xml" or name.endswith("/"):
            continue
        ext = name.rpartition("/")[2].rpartition(".")[2].lower()  # "_rels/.rels" has the extension "rels"
        out[name] = overrides.get("/" + name.lower(), defaults.get(ext))
    return out


def core_properties(docx: bytes) -> dict:
    props = OpcPackage.open(io.BytesIO(docx)).core_properties
    return {name: getattr(props, name) for name in _CORE}


def differences(fast: bytes, slow: bytes) -> list[str]:
    """What differs between two DOCX packages (``[]`` when they are the same document)."""
    zf, zs = zipfile.ZipFile(io.BytesIO(fast)), zipfile.ZipFile(io.BytesIO(slow))
    out = []
    names_f, names_s = set(zf.namelist()), set(zs.namelist())
    if names_f != names_s:
        out.append(f"members only in the first: {sorted(names_f - names_s)}, "
                   f"only in the second: {sorted(names_s - names_f)}")
    for name in sorted(names_f & names_s):
        a, b = zf.read(name), zs.read(name)
        if name == "[Content_Types].xml":
            same = content_types(zf) == content_types(zs)
        elif name == "docProps/core.xml":
            same = core_properties(fast) == core_properties(slow)
        elif name.endswith((".xml", ".rels")):
            ca, cb = c14n(a), c14n(b)
            same = ca == cb
            if not same:
                at = next((i for i, (x, y) in enumerate(zip(ca, cb, strict=False)) if x != y), min(len(ca), len(cb)))
                out.append(f"{name} differs after C14N at byte {at}:\n  {ca[max(0, at - 80):at + 120]!r}\n  "
                           f"{cb[max(0, at - 80):at + 120]!r}")
                continue
        else:
            same = a == b
        if not same:
            out.append(f"{name} differs")
    return out


def assert_same_package(fast: bytes, slow: bytes) -> None:
    found = differences(fast, slow)
    assert not found, "\n".join(found)
