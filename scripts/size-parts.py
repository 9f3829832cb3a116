#!/usr/bin/env python3
"""What each part of the page costs in the gzipped wasm (issue 6's size target, README "Where the bytes go").

For each part, a copy of the committed tree gets that part's entry point replaced by a stub that returns an
empty value (so the callers stay as they are, and the linker drops everything only the part reached); the
copy is built like the page (release wasm, wasm-bindgen, wasm-opt with index.html's parameters) and its
gzipped wasm is compared with the unchanged build's. Measuring, never failing the tests: a stub whose
signature is no longer in the source stops the script with a message naming it. Removing any part also
moves everything after it in the wasm, which changes how well the rest compresses: read the figures as
±1 KB.

    python3 scripts/size-parts.py        # about 1 minute per part on 2 cores
"""

import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (label, file, start of the signature, stub body). The stub returns an empty value of the right type.
PARTS = [
    ("probe inference (probe::infer, reason; issue 2)", "crates/model/src/probe.rs",
     "fn reason(",
     "let _ = (classification, seen, explain); Inference { candidates: Vec::new(), parameters: Vec::new(), "
     "also_possible: Vec::new(), certain: false, failed_parameter: None, fault_stage: None, "
     "fault_header: None, not_cors: false, network_error_possible: false, contradictory: false, "
     "findings: Vec::new() }"),
    ("early stopping of probes (probe::settled; issue 6)", "crates/model/src/probe.rs",
     "pub fn settled(", "let _ = (classification, finished, pending); false"),
    ("the probe plan (probe::plan; issue 2)", "crates/model/src/probe.rs",
     "pub fn plan(", "let _ = (classification, options); ProbePlan::default()"),
    ("fix advice for 12 server stacks (fix::advice; issues 2, 3)", "crates/model/src/fix.rs",
     "pub fn advice(",
     "let _ = (stack, request, focus); Fix { summary: String::new(), snippet: String::new(), language: \"\" }"),
    ("the paste parser (paste::parse, parse_exchange; issue 2)", "crates/model/src/paste.rs",
     "pub fn parse(", "let _ = text; Err(PasteError::new(None, PasteErrorKind::NothingPasted))"),
    (None, "crates/model/src/paste.rs",
     "pub fn parse_exchange(",
     "let _ = (preflight, actual); Err(PasteError::new(None, PasteErrorKind::NothingPasted))"),
    ("detail, Chrome console and Firefox wording (explain; issue 2)", "crates/model/src/explain.rs",
     "pub fn detail(", "let _ = (blocked, request); String::new()"),
    (None, "crates/model/src/explain.rs", "pub fn firefox_reason(", "let _ = blocked; None"),
    (None, "crates/model/src/explain.rs", "pub fn console_message(",
     "let _ = (blocked, request); String::new()"),
    ("permalinks (permalink::parse, serialize; issue 3)", "crates/model/src/permalink.rs",
     "pub fn parse(fragment", "let _ = fragment; (FormState::default(), Vec::new())"),
    (None, "crates/model/src/permalink.rs", "pub fn serialize(", "let _ = state; String::new()"),
    ("lab presets (presets::opened; issue 3)", "src/presets.rs", "pub fn opened(", "let _ = page;"),
]


def run(*args, cwd=None, env=None):
    """Runs a build step quietly (a stub leaves dead code behind, so rustc warns); prints its output if it fails."""
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"size-parts: {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


def wasm_opt_params():
    html = (ROOT / "index.html").read_text()
    match = re.search(r'data-wasm-opt-params="([^"]*)"', html)
    return match.group(1).split() if match else ["-Oz"]


def stub(path: Path, signature: str, body: str):
    """Replaces the body of the function whose signature starts with `signature` by `{ body }`."""
    text = path.read_text()
    start = text.find(signature)
    if start < 0:
        sys.exit(f"size-parts: `{signature}` is no longer in {path.name}: update scripts/size-parts.py")
    open_brace = text.index("{", start)
    depth, end = 0, open_brace
    for end in range(open_brace, len(text)):
        depth += {"{": 1, "}": -1}.get(text[end], 0)
        if depth == 0:
            break
    path.write_text(text[:open_brace] + "{ " + body + " }" + text[end + 1:])


def touch_all(tree: Path):
    """Marks every file as just written. Cargo rebuilds by modification time, and `git archive` gives files
    the commit's time: without this, a part stubbed in the previous build would stay stubbed."""
    for path in tree.rglob("*"):
        if path.is_file():
            os.utime(path)


def gzipped_wasm(tree: Path, target: Path, work: Path) -> int:
    touch_all(tree)
    env = dict(os.environ, CARGO_TARGET_DIR=str(target))
    run("cargo", "build", "-q", "--release", "--target", "wasm32-unknown-unknown", "-p", "corscope",
        cwd=tree, env=env)
    wasm = target / "wasm32-unknown-unknown" / "release" / "corscope.wasm"
    run("wasm-bindgen", "--target", "no-modules", "--out-dir", str(work), str(wasm))
    out = work / "opt.wasm"
    run("wasm-opt", *wasm_opt_params(), str(work / "corscope_bg.wasm"), "-o", str(out))
    return len(gzip.compress(out.read_bytes(), 9))


def main():
    target = ROOT / "target" / "size-parts"
    groups = []
    for label, file, signature, body in PARTS:
        if label is not None:
            groups.append((label, []))
        groups[-1][1].append((file, signature, body))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, check=True, capture_output=True)
        base_tree = tmp / "base"
        base_tree.mkdir()
        subprocess.run(["tar", "-x", "-C", str(base_tree)], input=archive.stdout, check=True)
        (tmp / "work").mkdir()
        whole = gzipped_wasm(base_tree, target, tmp / "work")
        print(f"gzipped wasm of HEAD: {whole} B\n")
        print(f"{'part':66} {'gzipped wasm':>13}")
        print(f"{'-' * 66} {'-' * 13}")
        for label, stubs in groups:
            tree = tmp / "tree"
            shutil.rmtree(tree, ignore_errors=True)
            shutil.copytree(base_tree, tree)
            for file, signature, body in stubs:
                stub(tree / file, signature, body)
            size = gzipped_wasm(tree, target, tmp / "work")
            print(f"{label:66} {whole - size:>11} B", flush=True)


if __name__ == "__main__":
    main()
