#!/usr/bin/env python3
"""Trunk post-build hook: gives the wasm's imports and exports one- or two-letter names, in the wasm and in
its JS glue.

wasm-bindgen names every import after its JS function plus a 16-hex-digit hash
(`__wbg_appendChild_5b9b33b2c71b8f4e`) and its module after the crate (`./corscope_bg.js`). The page
has about 160 of them, each written twice: in the wasm's import section and as a key of the imports
object the glue hands to `WebAssembly.instantiate`. Short names save about 5 KB gzipped (3 in the wasm,
2 in the glue) and change nothing else: the import section is rewritten entry by entry, every other
byte of the wasm is kept, and the glue only has its keys renamed.

Each import name must occur exactly once in the glue, as an object key; anything else stops the build
with a message (better no page than one whose imports do not match). The exports the glue reads
(`wasm.__wbindgen_malloc`, the closure trampolines `wasm_bindgen__convert__closures_____invoke__<hash>`,
…) are renamed the same way when every mention of the name in the glue is such a property read; any other
export keeps its name (one the glue never mentions, or one a debug build's glue also uses as a function
name), and `memory` and `start` are short already.

Reads TRUNK_STAGING_DIR (the folder trunk is about to publish); no arguments.
"""
import os
import re
import sys
from pathlib import Path

IMPORT_SECTION = 2
EXPORT_SECTION = 7
KEPT_EXPORTS = {"memory", "start"}
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def fail(message):
    sys.exit(f"shorten-bindings: {message}")


def read_leb(data, at):
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def leb(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def name(data, at):
    length, at = read_leb(data, at)
    return data[at : at + length].decode(), at + length


def short(index):
    out = ""
    while True:
        out = LETTERS[index % len(LETTERS)] + out
        index //= len(LETTERS)
        if index == 0:
            return out


def import_description_end(data, at):
    """Where an import's description (after its kind byte) ends."""
    kind = data[at]
    at += 1
    if kind == 0:  # function: type index
        return read_leb(data, at)[1]
    if kind == 1:  # table: reftype, limits
        at += 1
    if kind in (1, 2):  # memory: limits
        flags, at = read_leb(data, at)
        at = read_leb(data, at)[1]
        return read_leb(data, at)[1] if flags & 1 else at
    if kind == 3:  # global: valtype, mutability
        return at + 2
    fail(f"an import of unknown kind {kind}")


def shorten_imports(section, renames):
    """The import section with every module and field renamed; fills `renames` (old -> new)."""
    count, at = read_leb(section, 0)
    out = bytearray(leb(count))
    modules = {}
    for index in range(count):
        module, at = name(section, at)
        field, at = name(section, at)
        end = import_description_end(section, at)
        modules.setdefault(module, short(len(modules)))
        new_field = short(index)
        renames.setdefault(module, {})[field] = new_field
        for text in (modules[module], new_field):
            out += leb(len(text)) + text.encode()
        out += section[at:end]
        at = end
    if at != len(section):
        fail("the import section has trailing bytes")
    return bytes(out), modules


def shorten_exports(section, js):
    """The export section with each export the glue reads renamed (prefixed `_`, so never equal to a
    kept name); returns it and the renames (old -> new)."""
    count, at = read_leb(section, 0)
    out = bytearray(leb(count))
    renames = {}
    for _ in range(count):
        field, at = name(section, at)
        kind = section[at]
        end = read_leb(section, at + 1)[1]
        if field not in KEPT_EXPORTS and only_read(js, field):
            renames[field] = "_" + short(len(renames))
        new_field = renames.get(field, field)
        out += leb(len(new_field)) + new_field.encode() + bytes([kind]) + section[at + 1 : end]
        at = end
    if at != len(section):
        fail("the export section has trailing bytes")
    return bytes(out), renames


def property_read(name):
    return re.compile(r"(?<=\.)" + re.escape(name) + r"(?![\w$])")


def only_read(js, name):
    """Whether the glue mentions `name`, and only as a property read (`wasm.name`). The glue of a debug
    build also names a wrapper function after each closure trampoline; such an export keeps its name."""
    reads = len(property_read(name).findall(js))
    return reads > 0 and reads == len(re.findall(r"(?<![\w$])%s(?![\w$])" % re.escape(name), js))


def rename_property(js, old, new):
    """Renames every `.old` property read to `.new`."""
    return property_read(old).sub(new, js)


def rewrite_wasm(wasm, js):
    if wasm[:8] != b"\0asm\1\0\0\0":
        fail("not a wasm module")
    out = bytearray(wasm[:8])
    at = 8
    renames, modules, exports = {}, {}, {}
    while at < len(wasm):
        kind = wasm[at]
        size, body = read_leb(wasm, at + 1)
        section = wasm[body : body + size]
        if kind == IMPORT_SECTION:
            section, modules = shorten_imports(section, renames)
        if kind == EXPORT_SECTION:
            section, exports = shorten_exports(section, js)
        out += bytes([kind]) + leb(len(section)) + section
        at = body + size
    return bytes(out), modules, renames, exports


def rename_key(js, old, new):
    """Renames the one object key `old` (bare or quoted) to `new`."""
    pattern = re.compile(r"""(?<![\w$"'])(?:(["'])%s\1|%s)(?=\s*:)""" % (re.escape(old), re.escape(old)))
    found = pattern.findall(js)
    if len(found) != 1:
        fail(f"expected the key {old!r} once in the glue, found it {len(found)} times")
    return pattern.sub(f'"{new}"' if not new.isidentifier() else new, js)


def shorten(wasm, js):
    """The wasm and its glue with short names, and how many imports and exports were renamed."""
    wasm, modules, renames, exports = rewrite_wasm(wasm, js)
    for old, new in exports.items():
        js = rename_property(js, old, new)
    for module, fields in renames.items():
        for old, new in fields.items():
            js = rename_key(js, old, new)
        js = rename_key(js, module, modules[module])
    return wasm, js, sum(len(f) for f in renames.values()), len(exports)


def main():
    staging = Path(os.environ.get("TRUNK_STAGING_DIR", ""))
    wasms = list(staging.glob("*_bg.wasm"))
    if len(wasms) != 1:
        fail(f"expected one *_bg.wasm in {staging}, found {len(wasms)}")
    wasm_path = wasms[0]
    glue_path = wasm_path.with_name(wasm_path.name.replace("_bg.wasm", ".js"))
    if not glue_path.is_file():
        fail(f"no glue {glue_path.name} beside {wasm_path.name}")
    wasm, js, imports, exports = shorten(wasm_path.read_bytes(), glue_path.read_text(encoding="utf-8"))
    wasm_path.write_bytes(wasm)
    glue_path.write_text(js, encoding="utf-8")
    print(f"shorten-bindings: {imports} imports and {exports} exports renamed in {wasm_path.name} and {glue_path.name}")


if __name__ == "__main__":
    main()
