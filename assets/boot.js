// Starts the app (no inline script: the CSP forbids them); Trunk.toml's pattern_script says how.
const tag = document.querySelector("script[data-wasm]");
const wasm = WebAssembly.compileStreaming
  ? WebAssembly.compileStreaming(fetch(tag.dataset.wasm)).catch(() => tag.dataset.wasm)
  : tag.dataset.wasm;
if (typeof wasm_bindgen === "undefined") {
  const glue = document.getElementById("corscope-glue");
  await new Promise((loaded, failed) => {
    glue.addEventListener("load", loaded);
    glue.addEventListener("error", failed);
  });
}
if (document.readyState === "loading") await new Promise((r) => addEventListener("DOMContentLoaded", r));
await wasm_bindgen({ module_or_path: await wasm });
