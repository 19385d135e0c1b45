// Reads the structure of a built wasm module (no execution): its function exports and, for
// each, the instructions of a body made only of calls and local reads. Used by the tests to check
// how the linker laid out the learner worker.

/** Reads an unsigned LEB128 number at `at`; returns [value, next offset]. */
function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
}

/** The module's sections as {id, start, end} (payload offsets). */
function sections(bytes) {
  const out = [];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, start] = leb(bytes, at + 1);
    out.push({ id, start, end: start + size });
    at = start + size;
  }
  return out;
}

/**
 * Exported functions whose whole body is `call A; local.get ...; call B; end` (a wrapper that
 * calls A first and then forwards its arguments to B), as {name, first, target}.
 */
export function forwardingExports(bytes) {
  const all = sections(bytes);
  const section = (id) => all.find((s) => s.id === id);
  // Imported functions come first in the function index space.
  let imported = 0;
  const imports = section(2);
  if (imports) {
    let [count, at] = leb(bytes, imports.start);
    for (let i = 0; i < count; i++) {
      for (let k = 0; k < 2; k++) { const [len, next] = leb(bytes, at); at = next + len; }
      const kind = bytes[at++];
      if (kind === 0) { imported++; at = leb(bytes, at)[1]; }
      else if (kind === 1) { at += 1; const flags = bytes[at++]; at = leb(bytes, at)[1]; if (flags & 1) at = leb(bytes, at)[1]; }
      else if (kind === 2) { const flags = bytes[at++]; at = leb(bytes, at)[1]; if (flags & 1) at = leb(bytes, at)[1]; }
      else if (kind === 3) { at += 1; at += 1; }
      else { at = leb(bytes, at + 1)[1]; }
    }
  }
  const exported = new Map();
  const exports = section(7);
  let [count, at] = leb(bytes, exports.start);
  for (let i = 0; i < count; i++) {
    const [len, nameAt] = leb(bytes, at);
    const name = new TextDecoder().decode(bytes.subarray(nameAt, nameAt + len));
    at = nameAt + len;
    const kind = bytes[at++];
    const [index, next] = leb(bytes, at);
    at = next;
    if (kind === 0 && index >= imported) exported.set(index - imported, name);
  }
  const code = section(10);
  [count, at] = leb(bytes, code.start);
  const found = [];
  for (let i = 0; i < count; i++) {
    const [size, bodyAt] = leb(bytes, at);
    at = bodyAt + size;
    if (!exported.has(i)) continue;
    let p = bodyAt;
    const [groups, afterLocals] = leb(bytes, p);
    p = afterLocals;
    for (let g = 0; g < groups; g++) { p = leb(bytes, p)[1]; p += 1; }
    const calls = [];
    let plain = true;
    while (p < at - 1) {
      const op = bytes[p++];
      if (op === 0x10) { const [f, next] = leb(bytes, p); calls.push(f); p = next; }
      else if (op === 0x20) p = leb(bytes, p)[1];
      else { plain = false; break; }
    }
    if (plain && bytes[at - 1] === 0x0b && calls.length === 2) {
      found.push({ name: exported.get(i), first: calls[0], target: calls[1] });
    }
  }
  return found;
}
