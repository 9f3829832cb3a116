#!/usr/bin/env python3
"""Tests of scripts/shorten-bindings.py on a hand-made module: `python3 scripts/test_shorten_bindings.py`.

The module has one import, three function exports and a memory; the glue mentions them as wasm-bindgen's
release (minified) and debug glue do.
"""
import importlib.util
import unittest
from pathlib import Path

SPEC = importlib.util.spec_from_file_location("shorten", Path(__file__).with_name("shorten-bindings.py"))
shorten = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(shorten)

IMPORT = "__wbg_appendChild_5b9b33b2c71b8f4e"
MODULE = "./corscope_bg.js"
MALLOC = "__wbindgen_malloc"
TRAMPOLINE = "wasm_bindgen__convert__closures_____invoke__h0ad27f1de439d929"
UNUSED = "__instance_terminated"


def section(kind, body):
    return bytes([kind]) + shorten.leb(len(body)) + body


def name(text):
    return shorten.leb(len(text)) + text.encode()


def module():
    types = section(1, b"\x01\x60\x00\x00")  # one type: () -> ()
    imports = section(2, b"\x01" + name(MODULE) + name(IMPORT) + b"\x00\x00")
    functions = section(3, b"\x01\x00")
    memory = section(5, b"\x01\x00\x01")
    exports = [(MALLOC, 0, 1), (TRAMPOLINE, 0, 1), (UNUSED, 0, 1), ("memory", 2, 0)]
    export_body = shorten.leb(len(exports)) + b"".join(name(n) + bytes([k]) + shorten.leb(i) for n, k, i in exports)
    code = section(10, b"\x01\x02\x00\x0b")
    return b"\0asm\1\0\0\0" + types + imports + functions + memory + section(7, export_body) + code


def sections(wasm):
    at, out = 8, {}
    while at < len(wasm):
        size, body = shorten.read_leb(wasm, at + 1)
        out[wasm[at]] = wasm[body : body + size]
        at = body + size
    assert at == len(wasm), "sections overrun the module"
    return out


def export_names(wasm):
    body = sections(wasm)[7]
    count, at = shorten.read_leb(body, 0)
    names = []
    for _ in range(count):
        field, at = shorten.name(body, at)
        at = shorten.read_leb(body, at + 1)[1]
        names.append(field)
    return names


RELEASE_GLUE = (
    f'let G;const i={{"{MODULE}":{{{IMPORT}:(a,b)=>a.appendChild(b)}}}};'
    f"G.{MALLOC}(8);G.{TRAMPOLINE}(1,2);G.memory.buffer;"
)
DEBUG_GLUE = (
    f"const import0 = {{ {IMPORT}: function(a, b) {{ a.appendChild(b); }} }};\n"
    f'const imports = {{ "{MODULE}": import0 }};\n'
    f"function {TRAMPOLINE}(a, b) {{ wasm.{TRAMPOLINE}(a, b); }}\n"
    f"const ptr = wasm.{MALLOC}(8);\n"
)


class Shorten(unittest.TestCase):
    def test_release_glue_gets_every_name_it_reads_shortened(self):
        wasm, js, imports, exports = shorten.shorten(module(), RELEASE_GLUE)
        self.assertEqual((imports, exports), (1, 2))
        self.assertEqual(export_names(wasm), ["_a", "_b", UNUSED, "memory"])
        self.assertEqual(js, "let G;const i={a:{a:(a,b)=>a.appendChild(b)}};G._a(8);G._b(1,2);G.memory.buffer;")
        imported = sections(wasm)[2]
        self.assertEqual(imported, b"\x01" + name("a") + name("a") + b"\x00\x00")
        # Everything but the renamed sections is kept byte for byte.
        before, after = sections(module()), sections(wasm)
        for kind in (1, 3, 5, 10):
            self.assertEqual(before[kind], after[kind])

    def test_an_export_the_glue_also_uses_as_a_function_name_keeps_it(self):
        wasm, js, _, exports = shorten.shorten(module(), DEBUG_GLUE)
        self.assertEqual(exports, 1)
        self.assertEqual(export_names(wasm), ["_a", TRAMPOLINE, UNUSED, "memory"])
        self.assertIn(f"wasm.{TRAMPOLINE}(a, b)", js)
        self.assertIn("const ptr = wasm._a(8);", js)

    def test_an_import_missing_from_the_glue_stops_the_build(self):
        with self.assertRaises(SystemExit):
            shorten.shorten(module(), RELEASE_GLUE.replace(IMPORT, "somethingElse"))


if __name__ == "__main__":
    unittest.main()
