//! `docs/ABI.md` against the code, so the guide cannot drift.
//!
//! The guide and every `arch/*.rs` are read as text at run time, from the
//! source tree, so all rows are checked whatever target this test was built
//! for (natively and under qemu-aarch64 alike). Reading at run time rather
//! than with `include_str!` also lets the test list `arch/`: a new
//! architecture file without a row fails here, with no edit to this test.
//! The columns the source text cannot settle (syscall numbers, flag values,
//! the error range, the offset unit) are checked against rawmap itself for
//! the architecture the test runs on.

use rawmap::{Errno, Map, MapType, MemfdFlags, Prot, decode_return};
use std::collections::{BTreeMap, BTreeSet};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read(relative: &str) -> String {
    std::fs::read_to_string(format!("{ROOT}/{relative}"))
        .unwrap_or_else(|e| panic!("cannot read {relative}: {e}"))
}

/// `arch/<name>.rs` for every `.rs` file in `arch/`, keyed by name.
fn arch_sources() -> BTreeMap<String, String> {
    let dir = format!("{ROOT}/arch");
    let mut sources = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir}: {e}")) {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|ext| ext == "rs") {
            let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
            sources.insert(name, std::fs::read_to_string(&path).unwrap());
        }
    }
    sources
}

// ---------------------------------------------------------------------------
// Rust source, read just well enough: skip literals and comments, match
// brackets, split on top-level commas.

/// If a string, raw string, char literal or comment starts at `i`, the index
/// just past it.
fn skip_literal(s: &[u8], i: usize) -> Option<usize> {
    let at = |j: usize| s.get(j).copied().unwrap_or(0);
    match at(i) {
        b'/' if at(i + 1) == b'/' => {
            let mut j = i;
            while j < s.len() && s[j] != b'\n' {
                j += 1;
            }
            Some(j)
        }
        b'/' if at(i + 1) == b'*' => {
            let mut j = i + 2;
            while j + 1 < s.len() && !(s[j] == b'*' && s[j + 1] == b'/') {
                j += 1;
            }
            Some((j + 2).min(s.len()))
        }
        b'r' if (at(i + 1) == b'"' || at(i + 1) == b'#')
            && (i == 0 || !(at(i - 1).is_ascii_alphanumeric() || at(i - 1) == b'_')) =>
        {
            let mut hashes = 0;
            let mut j = i + 1;
            while at(j) == b'#' {
                hashes += 1;
                j += 1;
            }
            if at(j) != b'"' {
                return None;
            }
            j += 1;
            loop {
                if j >= s.len() {
                    return Some(s.len());
                }
                if s[j] == b'"' && (1..=hashes).all(|k| at(j + k) == b'#') {
                    return Some(j + 1 + hashes);
                }
                j += 1;
            }
        }
        b'"' => {
            let mut j = i + 1;
            while j < s.len() {
                match s[j] {
                    b'\\' => j += 2,
                    b'"' => return Some(j + 1),
                    _ => j += 1,
                }
            }
            Some(s.len())
        }
        // A char literal, not a lifetime: 'x' or '\…'.
        b'\'' if at(i + 2) == b'\'' => Some(i + 3),
        b'\'' if at(i + 1) == b'\\' => {
            let mut j = i + 2;
            while j < s.len() && s[j] != b'\'' {
                j += 1;
            }
            Some(j + 1)
        }
        _ => None,
    }
}

/// The index of the bracket closing the one at `open`.
fn matching_close(src: &str, open: usize) -> Option<usize> {
    let s = src.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    while i < s.len() {
        if let Some(next) = skip_literal(s, i) {
            i = next;
            continue;
        }
        match s[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Splits on commas outside brackets and literals; drops empty pieces.
fn split_top_level(src: &str) -> Vec<String> {
    let s = src.as_bytes();
    let (mut parts, mut depth, mut start, mut i) = (Vec::new(), 0i32, 0, 0);
    while i < s.len() {
        if let Some(next) = skip_literal(s, i) {
            i = next;
            continue;
        }
        match s[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            b',' if depth == 0 => {
                parts.push(src[start..i].trim().to_owned());
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(src[start..].trim().to_owned());
    parts.retain(|p| !p.is_empty());
    parts
}

/// Positions of `needle` in `src` outside literals and comments.
fn find_code(src: &str, needle: &str) -> Vec<usize> {
    let s = src.as_bytes();
    let (mut found, mut i) = (Vec::new(), 0);
    while i < s.len() {
        if let Some(next) = skip_literal(s, i) {
            i = next;
            continue;
        }
        if src[i..].starts_with(needle) {
            found.push(i);
        }
        i += 1;
    }
    found
}

/// The body (inside the braces) of the one function named `name`.
fn fn_body<'s>(src: &'s str, name: &str) -> Result<&'s str, String> {
    let needle = format!("fn {name}");
    let starts: Vec<usize> = find_code(src, &needle)
        .into_iter()
        .filter(|&at| {
            let before = src[..at].chars().next_back();
            let after = src[at + needle.len()..].trim_start().chars().next();
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                && matches!(after, Some('(') | Some('<'))
        })
        .collect();
    let [start] = starts[..] else {
        return Err(format!("expected one `fn {name}`, found {}", starts.len()));
    };
    // The body is the first `{` outside the signature's parentheses.
    let s = src.as_bytes();
    let (mut i, mut parens) = (start, 0i32);
    while i < s.len() {
        if let Some(next) = skip_literal(s, i) {
            i = next;
            continue;
        }
        match s[i] {
            b'(' => parens += 1,
            b')' => parens -= 1,
            b'{' if parens == 0 => {
                let close = matching_close(src, i).ok_or(format!("`fn {name}` is not closed"))?;
                return Ok(&src[i + 1..close]);
            }
            _ => {}
        }
        i += 1;
    }
    Err(format!("`fn {name}` has no body"))
}

/// The arguments of the one call `callee(…)` in `body`.
fn call_args(body: &str, callee: &str) -> Result<Vec<String>, String> {
    let open: Vec<usize> = find_code(body, &format!("{callee}("))
        .into_iter()
        .filter(|&at| {
            let before = body[..at].chars().next_back();
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
        .collect();
    let [at] = open[..] else {
        return Err(format!("expected one `{callee}(…)`, found {}", open.len()));
    };
    let paren = at + callee.len();
    let close = matching_close(body, paren).ok_or(format!("`{callee}(` is not closed"))?;
    Ok(split_top_level(&body[paren + 1..close]))
}

/// The text of a string literal (plain or raw), escapes for `\"`, `\\`,
/// `\n` and `\t` undone.
fn string_literal(lit: &str) -> Option<String> {
    if let Some(raw) = lit.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let inner = &raw[hashes..];
        return Some(
            inner
                .strip_prefix('"')?
                .get(..inner.len() - 2 - hashes)?
                .to_owned(),
        );
    }
    let inner = lit.strip_prefix('"')?.strip_suffix('"')?;
    let (mut out, mut chars) = (String::new(), inner.chars());
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                other => out.push(other),
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

// ---------------------------------------------------------------------------
// What the arch source says.

/// One register operand of `asm!`: `in("rdi") a1`, `inlateout("rax") nr => ret`.
#[derive(Debug)]
struct Operand {
    register: String,
    input: Option<String>,
    output: Option<String>,
}

fn operand(text: &str) -> Option<Operand> {
    let open = text.find('(')?;
    let kind = text[..open].trim();
    let close = open + text[open..].find(')')?;
    let register = text[open + 1..close].trim().trim_matches('"').to_owned();
    let rest = text[close + 1..].trim();
    let (input, output) = match kind {
        "in" => (Some(rest), None),
        "out" | "lateout" => (None, Some(rest)),
        "inout" | "inlateout" => match rest.split_once("=>") {
            Some((input, output)) => (Some(input.trim()), Some(output.trim())),
            None => (Some(rest), Some(rest)),
        },
        _ => return None,
    };
    Some(Operand {
        register,
        input: input.map(str::to_owned),
        output: output.map(str::to_owned),
    })
}

/// One `syscallN` stub, as its `asm!` reads.
#[derive(Debug)]
struct Stub {
    instruction: String,
    number: Option<String>,
    arguments: Vec<Option<String>>,
    ret: Option<String>,
    clobbered: BTreeSet<String>,
}

/// Where a value the kernel reads comes from, in the asm template: a named
/// operand moved into a fixed register (`mov r7, {nr}`, `xchg esi, {a4}`),
/// or a word loaded through a pointer operand (`mov esi, dword ptr [eax + 4]`,
/// where `eax` is `rest.as_ptr()` and `let rest = [a4, a6, nr];`). Returns
/// `(register, input expression)` pairs.
fn template_moves(
    body: &str,
    template: &[String],
    ops: &[(Option<String>, Operand)],
) -> Vec<(String, String)> {
    let mut moves = Vec::new();
    for line in template {
        let line = line.trim();
        let Some((_, rest)) = line.split_once(' ') else {
            continue;
        };
        let Some((to, from)) = rest.split_once(',') else {
            continue;
        };
        let (to, from) = (to.trim(), from.trim());
        if let Some(name) = from.strip_prefix('{').and_then(|f| f.strip_suffix('}')) {
            let named = ops.iter().find(|(n, _)| n.as_deref() == Some(name));
            if let Some((_, op)) = named {
                moves.push((to.to_owned(), op.input.clone().unwrap_or_default()));
            }
        } else if let Some(address) = from.split_once('[').and_then(|(_, a)| a.strip_suffix(']')) {
            let (base, offset) = match address.split_once('+') {
                Some((base, offset)) => (base.trim(), offset.trim().parse().unwrap_or(usize::MAX)),
                None => (address.trim(), 0),
            };
            let pointer = ops.iter().find(|(_, op)| op.register == base);
            let Some(array) =
                pointer.and_then(|(_, op)| op.input.as_deref()?.strip_suffix(".as_ptr()"))
            else {
                continue;
            };
            let Some(elements) = body
                .split_once(&format!("let {array} = ["))
                .and_then(|(_, rest)| rest.split_once(']'))
            else {
                continue;
            };
            if let Some(element) = elements.0.split(',').nth(offset / 4) {
                moves.push((to.to_owned(), element.trim().to_owned()));
            }
        }
    }
    moves
}

fn stub(src: &str, name: &str) -> Result<Stub, String> {
    let body = fn_body(src, name)?;
    let args = call_args(body, "asm!").map_err(|e| format!("{name}: {e}"))?;
    let mut stub = Stub {
        instruction: String::new(),
        number: None,
        arguments: vec![None; 6],
        ret: None,
        clobbered: BTreeSet::new(),
    };
    let mut template = Vec::new();
    let mut ops = Vec::new();
    for arg in &args {
        if arg.starts_with('"') || arg.starts_with("r\"") || arg.starts_with("r#") {
            template.push(string_literal(arg).ok_or(format!("{name}: bad literal {arg}"))?);
            continue;
        }
        if arg.starts_with("options(") {
            continue;
        }
        // `saved = out(reg) _`: a named operand in a register the compiler picks.
        let (label, text) = match arg.split_once('=') {
            Some((label, rest)) if !label.contains('(') => (Some(label.trim().to_owned()), rest),
            _ => (None, arg.as_str()),
        };
        let op = operand(text).ok_or(format!("{name}: cannot read asm operand `{arg}`"))?;
        ops.push((label, op));
    }
    let mut placed: Vec<(String, String)> = ops
        .iter()
        .filter(|(label, _)| label.is_none())
        .filter_map(|(_, op)| Some((op.register.clone(), op.input.clone()?)))
        .collect();
    placed.extend(template_moves(body, &template, &ops));
    for (register, input) in placed {
        // The first place a value is put is where the kernel finds it (an
        // `xchg` that swaps it back later does not move it again).
        match input.as_str() {
            "nr" => _ = stub.number.get_or_insert(register),
            a if a.len() == 2 && a.starts_with('a') => {
                let index: usize = a[1..].parse().map_err(|_| format!("{name}: `{a}`"))?;
                if !(1..=6).contains(&index) {
                    return Err(format!("{name}: argument `{a}` out of range"));
                }
                _ = stub.arguments[index - 1].get_or_insert(register);
            }
            _ => {}
        }
    }
    // A compiler-picked scratch register (`reg`) is the stub's own business,
    // not something the kernel clobbers.
    for (label, op) in ops {
        match op.output.as_deref() {
            Some("ret") => stub.ret = Some(op.register),
            Some("_") if label.is_none() => {
                stub.clobbered.insert(op.register);
            }
            _ => {}
        }
    }
    // The line that enters the kernel; the others (powerpc's error
    // conversion, mips's number load and hi/lo save, x86's register dance)
    // are the stub's own.
    stub.instruction = template
        .iter()
        .find(|line| {
            ["syscall", "svc", "sc", "int", "ecall"]
                .iter()
                .any(|i| line.trim().split(' ').next() == Some(i))
        })
        .cloned()
        .unwrap_or_default();
    Ok(stub)
}

/// Everything the guide's columns claim, as read from one `arch/<arch>.rs`.
#[derive(Debug, PartialEq)]
struct CodeAbi {
    instruction: String,
    number_register: String,
    argument_registers: Vec<String>,
    return_register: String,
    clobbered: BTreeSet<String>,
    mmap_syscall: String,
    offset_unit: String,
    fork: Call,
}

/// A call as the guide writes it: `clone(SIGCHLD, 0, 0, 0, 0)`.
#[derive(Debug, PartialEq)]
struct Call {
    name: String,
    args: Vec<String>,
}

/// `crate::nr::CLONE` -> `clone`; `linux_raw_sys::general::SIGCHLD as usize`
/// -> `SIGCHLD`.
fn plain_expr(expr: &str) -> String {
    let expr = expr.split(" as ").next().unwrap().trim();
    expr.rsplit("::").next().unwrap().to_owned()
}

fn code_abi(src: &str) -> Result<CodeAbi, String> {
    let six = stub(src, "syscall6")?;
    let register = |what: &str, r: &Option<String>| {
        r.clone()
            .ok_or(format!("syscall6 gives no register to {what}"))
    };
    let number_register = register("nr", &six.number)?;
    let return_register = register("ret", &six.ret)?;
    let argument_registers = six
        .arguments
        .iter()
        .enumerate()
        .map(|(i, r)| register(&format!("a{}", i + 1), r))
        .collect::<Result<Vec<_>, _>>()?;

    // The other stubs must say the same as syscall6, or the guide would be
    // right about one of them only.
    for n in 0..6 {
        let name = format!("syscall{n}");
        let other = stub(src, &name)?;
        let args: Vec<String> = other.arguments.iter().flatten().cloned().collect();
        if other.instruction != six.instruction
            || other.number != six.number
            || other.ret != six.ret
            || other.clobbered != six.clobbered
            || args[..] != argument_registers[..n]
            || other.arguments[n..].iter().any(Option::is_some)
        {
            return Err(format!(
                "{name} disagrees with syscall6: {other:?} vs {six:?}"
            ));
        }
    }
    let exit = stub(src, "syscall1_noreturn")?;
    if exit.instruction != six.instruction
        || exit.number != six.number
        || exit.arguments[0] != six.arguments[0]
    {
        return Err(format!(
            "syscall1_noreturn disagrees with syscall6: {exit:?}"
        ));
    }

    let mmap_body = fn_body(src, "sys_mmap")?;
    // Six registers, or (s390x) one pointer to a block of the six values:
    // `let block: [usize; 6] = [addr, …, offset as usize];` then
    // `syscall1(nr, block.as_ptr() as usize)`.
    let in_block = call_args(mmap_body, "syscall6").is_err();
    let mmap = match call_args(mmap_body, "syscall6") {
        Ok(args) => args,
        Err(_) => {
            let one = call_args(mmap_body, "syscall1")?;
            let block = one
                .get(1)
                .and_then(|a| a.split(".as_ptr()").next())
                .ok_or("sys_mmap passes neither six values nor a block")?;
            let values = mmap_body
                .split_once(&format!("let {block}"))
                .and_then(|(_, rest)| rest.split_once("= ["))
                .and_then(|(_, rest)| rest.split_once("];"))
                .ok_or(format!("sys_mmap: no array `{block}`"))?
                .0;
            std::iter::once(one[0].clone())
                .chain(split_top_level(values))
                .collect()
        }
    };
    let mmap_syscall = plain_expr(&mmap[0]).to_lowercase();
    let offset = mmap
        .get(6)
        .ok_or("sys_mmap passes fewer than 6 arguments")?;
    let offset_unit = if plain_expr(offset) == "offset" && in_block {
        "bytes, in a block of six words in memory"
    } else if plain_expr(offset) == "offset" {
        "bytes"
    } else if offset.contains("/ 4096")
        || offset.contains(">> 12")
        || (mmap_body.contains("offset / MMAP2_UNIT") && src.contains("MMAP2_UNIT: u64 = 4096;"))
    {
        "4096-byte units"
    } else {
        return Err(format!("sys_mmap: cannot tell the unit of `{offset}`"));
    };

    let fork_body = fn_body(src, "sys_fork")?;
    let callee = (0..=6)
        .map(|n| format!("syscall{n}"))
        .find(|callee| call_args(fork_body, callee).is_ok())
        .ok_or("sys_fork makes no syscallN call")?;
    let fork_args = call_args(fork_body, &callee)?;
    let fork = Call {
        name: plain_expr(&fork_args[0]).to_lowercase(),
        args: fork_args[1..].iter().map(|a| plain_expr(a)).collect(),
    };

    Ok(CodeAbi {
        instruction: six.instruction,
        number_register,
        argument_registers,
        return_register,
        clobbered: six.clobbered,
        mmap_syscall,
        offset_unit: offset_unit.to_owned(),
        fork,
    })
}

// ---------------------------------------------------------------------------
// What the guide says.

/// The rows of the first table after the heading `heading`, as maps from
/// column header to cell.
fn table(doc: &str, heading: &str) -> Vec<BTreeMap<String, String>> {
    let cells = |line: &str| -> Vec<String> {
        let line = line.trim().trim_start_matches('|').trim_end_matches('|');
        line.split('|').map(|c| c.trim().to_owned()).collect()
    };
    let mut lines = doc
        .lines()
        .skip_while(|l| l.trim() != heading)
        .skip(1)
        .skip_while(|l| !l.trim_start().starts_with('|'))
        .take_while(|l| l.trim_start().starts_with('|'));
    let Some(header) = lines.next() else {
        panic!("docs/ABI.md: no table under `{heading}`");
    };
    let header = cells(header);
    lines
        .skip(1) // the |---| line
        .map(|line| header.iter().cloned().zip(cells(line)).collect())
        .collect()
}

fn backticked(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// The number in `(…)` after the backticked part: "`mmap` (9)" -> 9.
fn number_after(cell: &str) -> Option<usize> {
    let after = cell.rsplit('`').next()?;
    let inner = after.trim().strip_prefix('(')?.strip_suffix(')')?;
    inner.trim().parse().ok()
}

fn parse_call(text: &str) -> Option<Call> {
    let (name, rest) = text.split_once('(')?;
    let args = rest.strip_suffix(')')?;
    Some(Call {
        name: name.trim().to_owned(),
        args: split_top_level(args),
    })
}

fn parse_value(text: &str) -> Option<u64> {
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

/// One row of the architecture table.
#[derive(Debug)]
struct Row {
    arch: String,
    code: CodeAbi,
    mmap_number: Option<usize>,
    fork_number: Option<usize>,
    error_range: (i64, i64),
    map_differs: BTreeMap<String, u64>,
    /// Generic names this architecture does not have (`NAME` = `absent`).
    map_absent: BTreeSet<String>,
}

const COLUMNS: [&str; 11] = [
    "architecture",
    "instruction",
    "number register",
    "argument registers",
    "return register",
    "clobbered registers",
    "error convention",
    "mmap syscall",
    "offset unit",
    "fork",
    "MAP_* that differ from generic",
];

fn parse_row(cells: &BTreeMap<String, String>) -> Result<Row, String> {
    let cell = |name: &str| {
        cells
            .get(name)
            .map(String::as_str)
            .ok_or(format!("no column `{name}`"))
    };
    let one = |name: &str| -> Result<String, String> {
        match &backticked(cell(name)?)[..] {
            [only] => Ok(only.clone()),
            other => Err(format!(
                "column `{name}` must hold one `value`, has {other:?}"
            )),
        }
    };
    let arch = one("architecture")?;
    let (range, meaning) = match &backticked(cell("error convention")?)[..] {
        [range, meaning] => (range.clone(), meaning.clone()),
        other => {
            return Err(format!(
                "{arch}: error convention {other:?} is not `lo..=hi` is `-errno`"
            ));
        }
    };
    if meaning != "-errno" {
        return Err(format!(
            "{arch}: an error return is `{meaning}`, rawmap reads `-errno`"
        ));
    }
    let (lo, hi) = range
        .split_once("..=")
        .and_then(|(lo, hi)| Some((lo.parse().ok()?, hi.parse().ok()?)))
        .ok_or(format!("{arch}: error convention `{range}` is not lo..=hi"))?;
    let fork_cell = cell("fork")?;
    let fork = parse_call(&one("fork")?).ok_or(format!("{arch}: fork is not a call"))?;
    let mut map_differs = BTreeMap::new();
    let mut map_absent = BTreeSet::new();
    let differs = cell("MAP_* that differ from generic")?;
    if differs != "none" {
        for pair in differs.split(',') {
            let [name, value] = &backticked(pair)[..] else {
                return Err(format!("{arch}: `{pair}` is not `NAME` = `value`"));
            };
            if value == "absent" {
                map_absent.insert(name.clone());
                continue;
            }
            let value = parse_value(value).ok_or(format!("{arch}: bad value {value}"))?;
            map_differs.insert(name.clone(), value);
        }
    }
    Ok(Row {
        code: CodeAbi {
            instruction: one("instruction")?,
            number_register: one("number register")?,
            argument_registers: backticked(cell("argument registers")?),
            return_register: one("return register")?,
            clobbered: backticked(cell("clobbered registers")?)
                .into_iter()
                .collect(),
            mmap_syscall: one("mmap syscall")?,
            offset_unit: cell("offset unit")?.to_owned(),
            fork,
        },
        mmap_number: number_after(cell("mmap syscall")?),
        fork_number: number_after(fork_cell),
        error_range: (lo, hi),
        map_differs,
        map_absent,
        arch,
    })
}

fn rows(doc: &str) -> Result<Vec<Row>, String> {
    let table = table(doc, "## Architectures");
    if let Some(first) = table.first() {
        for column in COLUMNS {
            if !first.contains_key(column) {
                return Err(format!("the table lost its column `{column}`"));
            }
        }
    }
    table.iter().map(parse_row).collect()
}

fn generic_map_values(doc: &str) -> BTreeMap<String, u64> {
    table(doc, "## Generic MAP_* values")
        .iter()
        .map(|row| {
            let name = backticked(&row["name"]).concat();
            let value = backticked(&row["generic value"]).concat();
            let parsed = parse_value(&value).unwrap_or_else(|| panic!("{name}: bad value {value}"));
            (name, parsed)
        })
        .collect()
}

/// `Map` flags that `src/flags.rs` defines for one architecture only:
/// (architecture, kernel name).
fn arch_only_map_flags(flags_src: &str) -> Vec<(String, String)> {
    let body = flags_src
        .split("map_modifiers! {")
        .nth(1)
        .expect("src/flags.rs has no `map_modifiers! {` list");
    let body = &body[..matching_close(&format!("{{{body}"), 0).expect("Map not closed") - 1];
    let mut pending_arch = None;
    let mut found = Vec::new();
    for line in body.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("#[cfg(target_arch = \"") {
            pending_arch = rest.split('"').next().map(str::to_owned);
        } else if let Some(rest) = line.strip_prefix("const ") {
            let kernel = rest
                .split("k::")
                .nth(1)
                .map(|k| k.trim_end_matches(';').to_owned());
            if let (Some(arch), Some(kernel)) = (pending_arch.take(), kernel) {
                found.push((arch, kernel));
            }
        }
    }
    found
}

/// Every way the guide and the source text disagree; empty when they agree.
fn text_disagreements(
    doc: &str,
    arch: &BTreeMap<String, String>,
    flags_src: &str,
    build_rs: &str,
    lib_rs: &str,
) -> Vec<String> {
    let mut wrong = Vec::new();
    let rows = match rows(doc) {
        Ok(rows) => rows,
        Err(e) => return vec![e],
    };
    let row_names: BTreeSet<&str> = rows.iter().map(|r| r.arch.as_str()).collect();
    let file_names: BTreeSet<&str> = arch.keys().map(String::as_str).collect();
    for missing in file_names.difference(&row_names) {
        wrong.push(format!("arch/{missing}.rs has no row in docs/ABI.md"));
    }
    for missing in row_names.difference(&file_names) {
        wrong.push(format!(
            "docs/ABI.md has a row for {missing} but no arch/{missing}.rs"
        ));
    }
    if row_names.len() != rows.len() {
        wrong.push("docs/ABI.md has two rows for one architecture".to_owned());
    }

    // One `("arch", "arch/arch.rs", Toolchain::…),` line per architecture.
    let supported: BTreeSet<String> = build_rs
        .lines()
        .skip_while(|l| !l.contains("const SUPPORTED"))
        .take_while(|l| !l.trim().starts_with("];"))
        .filter_map(|l| {
            l.trim()
                .strip_prefix("(\"")?
                .split('"')
                .next()
                .map(str::to_owned)
        })
        .collect();
    let selected: BTreeSet<String> = lib_rs
        .lines()
        .filter_map(|l| l.trim().strip_prefix("#[cfg_attr(target_arch = \""))
        .filter_map(|rest| {
            let (arch, rest) = rest.split_once('"')?;
            (rest.contains(&format!("\"../arch/{arch}.rs\""))).then(|| arch.to_owned())
        })
        .collect();
    let rows_owned: BTreeSet<String> = row_names.iter().map(|s| s.to_string()).collect();
    if supported != rows_owned {
        wrong.push(format!(
            "build.rs SUPPORTED {supported:?} != rows {rows_owned:?}"
        ));
    }
    if selected != rows_owned {
        wrong.push(format!(
            "src/lib.rs selects {selected:?} != rows {rows_owned:?}"
        ));
    }

    for row in &rows {
        let Some(src) = arch.get(&row.arch) else {
            continue;
        };
        match code_abi(src) {
            Ok(code) if code == row.code => {}
            Ok(code) => wrong.push(format!(
                "{}: docs/ABI.md says\n  {:?}\nbut arch/{}.rs says\n  {:?}",
                row.arch, row.code, row.arch, code
            )),
            Err(e) => wrong.push(format!("arch/{}.rs: {e}", row.arch)),
        }
    }

    for (arch_name, kernel) in arch_only_map_flags(flags_src) {
        match rows.iter().find(|r| r.arch == arch_name) {
            Some(row) if row.map_differs.contains_key(&kernel) => {}
            Some(_) => wrong.push(format!(
                "src/flags.rs has {kernel} on {arch_name} only; its row must list it"
            )),
            None => wrong.push(format!("src/flags.rs names {arch_name}, which has no row")),
        }
    }
    wrong
}

fn real_text_disagreements(doc: &str, arch: &BTreeMap<String, String>) -> Vec<String> {
    text_disagreements(
        doc,
        arch,
        &read("src/flags.rs"),
        &read("build.rs"),
        &read("src/lib.rs"),
    )
}

// ---------------------------------------------------------------------------
// The tests.

#[test]
fn the_guide_matches_every_arch_source() {
    let wrong = real_text_disagreements(&read("docs/ABI.md"), &arch_sources());
    assert!(
        wrong.is_empty(),
        "docs/ABI.md has drifted:\n{}",
        wrong.join("\n")
    );
}

fn this_row() -> Row {
    let doc = read("docs/ABI.md");
    let arch = std::env::consts::ARCH;
    rows(&doc)
        .unwrap()
        .into_iter()
        .find(|r| r.arch == arch)
        .unwrap_or_else(|| panic!("docs/ABI.md has no row for {arch}"))
}

/// The number rawmap sends for the syscall the guide names.
fn rawmap_number(name: &str) -> Option<usize> {
    #[cfg(rawmap_fork_syscall)]
    if name == "fork" {
        return Some(rawmap::nr::FORK);
    }
    let kernel_name = format!("__NR_{name}");
    rawmap::nr::ALL
        .iter()
        .find(|(n, _)| *n == kernel_name)
        .map(|&(_, nr)| nr)
}

#[test]
fn this_architectures_numbers_are_the_ones_rawmap_sends() {
    let row = this_row();
    let mmap = rawmap_number(&row.code.mmap_syscall);
    assert_eq!(row.mmap_number, mmap, "{}: mmap number", row.arch);
    assert_eq!(row.mmap_number, Some(rawmap::nr::MMAP));
    let fork = rawmap_number(&row.code.fork.name);
    assert!(
        fork.is_some(),
        "rawmap has no number for {}",
        row.code.fork.name
    );
    assert_eq!(row.fork_number, fork, "{}: fork number", row.arch);
}

#[test]
fn the_error_convention_is_the_one_rawmap_decodes() {
    for row in rows(&read("docs/ABI.md")).unwrap() {
        let (lo, hi) = row.error_range;
        let raw = |v: i64| v as isize as usize;
        assert!(
            decode_return(raw(lo)).is_err(),
            "{}: {lo} must fail",
            row.arch
        );
        assert!(
            decode_return(raw(hi)).is_err(),
            "{}: {hi} must fail",
            row.arch
        );
        assert!(
            decode_return(raw(lo - 1)).is_ok(),
            "{}: {} succeeds",
            row.arch,
            lo - 1
        );
        assert!(
            decode_return(raw(hi + 1)).is_ok(),
            "{}: {} succeeds",
            row.arch,
            hi + 1
        );
        // "is -errno": the negation is the error number.
        assert_eq!(decode_return(raw(-22)), Err(Errno::from_raw(22)));
        assert_eq!(Errno::from_raw(22), Errno::EINVAL);
    }
}

#[test]
fn the_offset_unit_is_the_one_the_kernel_gets() {
    let row = this_row();
    let page = rawmap::page_size();
    let fd = rawmap::memfd_create(c"abi-guide-offset", MemfdFlags::CLOEXEC).unwrap();
    let mut contents = vec![0u8; 2 * page];
    contents[page..page + 8].copy_from_slice(b"page two");
    assert_eq!(rawmap::write(fd.as_fd(), &contents), Ok(contents.len()));
    // What the kernel's own call takes: the raw stub with the guide's unit
    // must reach the second page (rawmap's `mmap` takes bytes everywhere).
    let offset = match row.code.offset_unit.as_str() {
        unit if unit.starts_with("bytes") => page,
        "4096-byte units" => page / 4096,
        other => panic!("unknown offset unit {other}"),
    };
    // SAFETY: a fresh read-only mapping of our own memfd, read and unmapped.
    unsafe {
        let args = [
            0,
            page,
            Prot::READ.bits() as usize,
            MapType::Shared.bits() as usize,
            fd.as_fd().as_raw() as usize,
            offset,
        ];
        // s390x: one argument, the address of the six values.
        let raw = if row.code.offset_unit.contains("block") {
            rawmap::arch::syscall1(rawmap::nr::MMAP, args.as_ptr() as usize)
        } else {
            let [a1, a2, a3, a4, a5, a6] = args;
            rawmap::arch::syscall6(rawmap::nr::MMAP, a1, a2, a3, a4, a5, a6)
        };
        let p = decode_return(raw).unwrap() as *mut rawmap::c_void;
        let seen = std::slice::from_raw_parts(p as *const u8, 8).to_vec();
        rawmap::munmap(p, page).unwrap();
        assert_eq!(
            seen, b"page two",
            "offset {offset} must reach the second page"
        );
    }
}

/// The kernel headers' `MAP_*` values for this target (linux-raw-sys, the
/// same source rawmap uses), including those rawmap does not name.
fn kernel_map_values() -> BTreeMap<&'static str, u64> {
    use linux_raw_sys::general as k;
    let mut values: BTreeMap<&str, u32> = BTreeMap::from([
        ("MAP_SHARED", k::MAP_SHARED),
        ("MAP_PRIVATE", k::MAP_PRIVATE),
        ("MAP_SHARED_VALIDATE", k::MAP_SHARED_VALIDATE),
        ("MAP_DROPPABLE", k::MAP_DROPPABLE),
        ("MAP_TYPE", k::MAP_TYPE),
        ("MAP_FIXED", k::MAP_FIXED),
        ("MAP_ANONYMOUS", k::MAP_ANONYMOUS),
        ("MAP_FILE", k::MAP_FILE),
        ("MAP_GROWSDOWN", k::MAP_GROWSDOWN),
        ("MAP_DENYWRITE", k::MAP_DENYWRITE),
        ("MAP_EXECUTABLE", k::MAP_EXECUTABLE),
        ("MAP_LOCKED", k::MAP_LOCKED),
        ("MAP_NORESERVE", k::MAP_NORESERVE),
        ("MAP_POPULATE", k::MAP_POPULATE),
        ("MAP_NONBLOCK", k::MAP_NONBLOCK),
        ("MAP_STACK", k::MAP_STACK),
        ("MAP_HUGETLB", k::MAP_HUGETLB),
        ("MAP_FIXED_NOREPLACE", k::MAP_FIXED_NOREPLACE),
        ("MAP_HUGE_SHIFT", k::MAP_HUGE_SHIFT),
        ("MAP_HUGE_MASK", k::MAP_HUGE_MASK),
    ]);
    // mips's asm/mman.h has neither.
    #[cfg(not(target_arch = "mips64"))]
    values.extend([
        ("MAP_SYNC", k::MAP_SYNC),
        ("MAP_UNINITIALIZED", k::MAP_UNINITIALIZED),
    ]);
    #[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
    let arch_only = [("MAP_32BIT", k::MAP_32BIT), ("MAP_ABOVE4G", k::MAP_ABOVE4G)];
    #[cfg(not(any(target_arch = "x86_64", target_arch = "x86")))]
    let arch_only: [(&str, u32); 0] = [];
    values.extend(arch_only);
    values.into_iter().map(|(n, v)| (n, u64::from(v))).collect()
}

/// The values rawmap's own types send, by kernel name.
fn rawmap_map_values() -> BTreeMap<String, u64> {
    let mut values = BTreeMap::new();
    for ty in [
        MapType::Shared,
        MapType::Private,
        MapType::SharedValidate,
        MapType::Droppable,
    ] {
        // Exhaustive, so a new MapType cannot skip this check.
        let name = match ty {
            MapType::Shared => "MAP_SHARED",
            MapType::Private => "MAP_PRIVATE",
            MapType::SharedValidate => "MAP_SHARED_VALIDATE",
            MapType::Droppable => "MAP_DROPPABLE",
        };
        values.insert(name.to_owned(), u64::from(ty.bits()));
    }
    // `Map`'s Rust names differ from the kernel's (BELOW_2GB is MAP_32BIT):
    // src/flags.rs says which is which.
    let flags_src = read("src/flags.rs");
    let body = flags_src.split("map_modifiers! {").nth(1).unwrap();
    for line in body.lines().map(str::trim) {
        if line.starts_with('}') {
            break;
        }
        let Some(rest) = line.strip_prefix("const ") else {
            continue;
        };
        let (rust, kernel) = rest.split_once(" = k::").expect("const NAME = k::MAP_…;");
        let kernel = kernel.trim_end_matches(';');
        if let Some(flag) = Map::from_name(rust) {
            values.insert(kernel.to_owned(), u64::from(flag.bits()));
        }
    }
    values
}

/// The libc crate's values: an oracle that shares no code with rawmap.
fn libc_map_values() -> BTreeMap<&'static str, u64> {
    let mut values: BTreeMap<&str, libc::c_int> = BTreeMap::from([
        ("MAP_SHARED", libc::MAP_SHARED),
        ("MAP_PRIVATE", libc::MAP_PRIVATE),
        ("MAP_SHARED_VALIDATE", libc::MAP_SHARED_VALIDATE),
        ("MAP_TYPE", libc::MAP_TYPE),
        ("MAP_FIXED", libc::MAP_FIXED),
        ("MAP_ANONYMOUS", libc::MAP_ANONYMOUS),
        ("MAP_FILE", libc::MAP_FILE),
        ("MAP_GROWSDOWN", libc::MAP_GROWSDOWN),
        ("MAP_DENYWRITE", libc::MAP_DENYWRITE),
        ("MAP_EXECUTABLE", libc::MAP_EXECUTABLE),
        ("MAP_LOCKED", libc::MAP_LOCKED),
        ("MAP_NORESERVE", libc::MAP_NORESERVE),
        ("MAP_POPULATE", libc::MAP_POPULATE),
        ("MAP_NONBLOCK", libc::MAP_NONBLOCK),
        ("MAP_STACK", libc::MAP_STACK),
        ("MAP_HUGETLB", libc::MAP_HUGETLB),
        ("MAP_FIXED_NOREPLACE", libc::MAP_FIXED_NOREPLACE),
        ("MAP_HUGE_SHIFT", libc::MAP_HUGE_SHIFT),
        ("MAP_HUGE_MASK", libc::MAP_HUGE_MASK),
    ]);
    #[cfg(not(target_arch = "mips64"))]
    values.insert("MAP_SYNC", libc::MAP_SYNC);
    #[cfg(target_arch = "x86_64")]
    let arch_only = [("MAP_32BIT", libc::MAP_32BIT)];
    #[cfg(not(target_arch = "x86_64"))]
    let arch_only: [(&str, libc::c_int); 0] = [];
    values.extend(arch_only);
    values.into_iter().map(|(n, v)| (n, v as u64)).collect()
}

#[test]
fn map_values_that_differ_from_generic_are_the_ones_listed() {
    let row = this_row();
    let generic = generic_map_values(&read("docs/ABI.md"));
    let kernel = kernel_map_values();
    let ours = rawmap_map_values();
    let libc = libc_map_values();
    assert!(ours.len() >= 14, "read too few Map flags: {ours:?}");

    for (name, value) in &ours {
        assert_eq!(kernel.get(name.as_str()), Some(value), "rawmap's {name}");
    }
    for (name, value) in &libc {
        assert_eq!(
            kernel.get(name),
            Some(value),
            "libc's {name} vs the headers'"
        );
    }

    let mut wrong = Vec::new();
    for (&name, &value) in &kernel {
        let listed = row.map_differs.get(name).copied();
        match generic.get(name) {
            Some(&g) if g == value && listed.is_none() => {}
            Some(&g) if g == value => wrong.push(format!("{name} is generic here, yet listed")),
            _ if listed == Some(value) => {}
            Some(&g) => wrong.push(format!("{name} is {value:#x} here, not {g:#x}: list it")),
            None => wrong.push(format!("{name} = {value:#x} exists only here: list it")),
        }
    }
    for name in generic.keys().chain(row.map_differs.keys()) {
        let absent = row.map_absent.contains(name);
        if !kernel.contains_key(name.as_str()) && !absent {
            wrong.push(format!(
                "the guide names {name}, which this target lacks: list it as absent"
            ));
        }
        if kernel.contains_key(name.as_str()) && absent {
            wrong.push(format!(
                "the guide lists {name} as absent, but this target has it"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}: {}", row.arch, wrong.join("; "));
}

// ---------------------------------------------------------------------------
// The checker checks: drift it must catch, and additions it must ignore.

/// The architecture files with `edit` applied to the one named `arch`.
fn edited(arch: &str, edit: impl Fn(&str) -> String) -> BTreeMap<String, String> {
    let mut sources = arch_sources();
    let src = sources.get_mut(arch).unwrap();
    let changed = edit(src);
    assert!(
        changed != *src,
        "the edit of arch/{arch}.rs changed nothing"
    );
    *src = changed;
    sources
}

#[test]
fn a_program_entry_appended_to_an_arch_file_changes_nothing() {
    // The `rt` feature adds `_start` at the bottom of each arch file: its asm
    // has braces, another syscall instruction and other registers.
    let start = r##"
#[cfg(feature = "rt")]
#[unsafe(naked)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _start() -> ! {
    // '{' in a comment, and "}" in a string
    core::arch::naked_asm!(
        "mov {tmp}, sp", "bl {main}", "syscall", "svc #0",
        main = sym crate::rt::main,
        tmp = out(reg) _,
        in("r10") 0usize, in("x3") 0usize,
    )
}
"##;
    let doc = read("docs/ABI.md");
    for arch in arch_sources().keys() {
        let sources = edited(arch, |src| format!("{src}{start}"));
        let wrong = real_text_disagreements(&doc, &sources);
        assert!(wrong.is_empty(), "{arch} with _start: {wrong:?}");
    }
}

/// Replaces the first `from` inside `fn name`'s body with `to`.
fn edit_in_fn(src: &str, name: &str, from: &str, to: &str) -> String {
    let body = fn_body(src, name).unwrap();
    let start = body.as_ptr() as usize - src.as_ptr() as usize;
    let at = start
        + body
            .find(from)
            .unwrap_or_else(|| panic!("{from} not in {name}"));
    format!("{}{to}{}", &src[..at], &src[at + from.len()..])
}

/// A change to an arch source.
type Edit<'a> = Box<dyn Fn(&str) -> String + 'a>;

#[test]
fn drift_in_an_arch_file_is_caught() {
    // Each edit is made consistently (in every stub where it applies), so it
    // is the comparison with the guide that must catch it, not the stubs'
    // agreement with one another.
    let doc = read("docs/ABI.md");
    for row in rows(&doc).unwrap() {
        let arch = row.arch.as_str();
        let r4 = &row.code.argument_registers[3];
        // The 4th argument's register, whether an operand names it or the
        // template moves the value there (x86).
        let fourth = [
            (format!("(\"{r4}\") a4"), "(\"rcx\") a4".to_owned()),
            (format!("xchg {r4}, {{a4}}"), "xchg ecx, {a4}".to_owned()),
            (
                format!("mov {r4}, dword ptr [eax]"),
                "mov ecx, dword ptr [eax]".to_owned(),
            ),
        ];
        let move_fourth = |s: &str| {
            fourth
                .iter()
                .fold(s.to_owned(), |s, (from, to)| s.replace(from, to))
        };
        let instruction = format!("\"{}\"", row.code.instruction);
        let ret = &row.code.return_register;
        let fork_part = if row.code.fork.name == "fork" {
            "nr::FORK"
        } else {
            "SIGCHLD as usize"
        };
        let edits: [(&str, Edit); 5] = [
            ("the fourth argument register", Box::new(move_fourth)),
            (
                "the instruction",
                Box::new(|s| s.replace(&instruction, "\"int $0x80\"")),
            ),
            (
                "the clobbered registers",
                Box::new(|s| {
                    s.replace("=> ret", "=> ret, lateout(\"r13\") _").replace(
                        &format!("lateout(\"{ret}\") ret"),
                        &format!("lateout(\"{ret}\") ret, lateout(\"r13\") _"),
                    )
                }),
            ),
            (
                "the fork flavour",
                Box::new(|s| edit_in_fn(s, "sys_fork", fork_part, "0")),
            ),
            (
                "the mmap offset unit",
                Box::new(|s| {
                    if s.contains("fd, units)") {
                        edit_in_fn(s, "sys_mmap", "fd, units)", "fd, offset as usize)")
                    } else {
                        edit_in_fn(s, "sys_mmap", "offset as usize", "(offset / 4096) as usize")
                    }
                }),
            ),
        ];
        for (what, edit) in edits {
            let wrong = real_text_disagreements(&doc, &edited(arch, edit));
            assert!(
                wrong.iter().any(|w| w.contains("docs/ABI.md says")),
                "{arch}: a change of {what} went unnoticed: {wrong:?}"
            );
        }
        // One stub drifting from the others is caught too.
        let edit = |s: &str| {
            let (from, to) = fourth
                .iter()
                .find(|(from, _)| s.contains(from.as_str()))
                .unwrap();
            edit_in_fn(s, "syscall4", from, to)
        };
        let wrong = real_text_disagreements(&doc, &edited(arch, edit));
        assert!(
            wrong.iter().any(|w| w.contains("syscall4 disagrees")),
            "{arch}: {wrong:?}"
        );
    }
}

#[test]
fn a_new_arch_file_or_a_lost_row_is_caught() {
    let doc = read("docs/ABI.md");
    let mut sources = arch_sources();
    let copy = sources["x86_64"].clone();
    sources.insert("sparc64".to_owned(), copy);
    let wrong = real_text_disagreements(&doc, &sources);
    assert!(
        wrong
            .iter()
            .any(|w| w.contains("arch/sparc64.rs has no row")),
        "{wrong:?}"
    );

    let without_aarch64: String = doc
        .lines()
        .filter(|l| !l.starts_with("| `aarch64`"))
        .map(|l| format!("{l}\n"))
        .collect();
    let wrong = real_text_disagreements(&without_aarch64, &arch_sources());
    assert!(
        wrong
            .iter()
            .any(|w| w.contains("arch/aarch64.rs has no row")),
        "{wrong:?}"
    );
}

#[test]
fn an_arch_only_flag_missing_from_its_row_is_caught() {
    let doc = read("docs/ABI.md");
    // The x86_64 row without its MAP_32BIT entry, wherever that stands.
    let dropped: String = doc
        .lines()
        .map(|line| {
            if !line.starts_with("| `x86_64`") {
                return format!("{line}\n");
            }
            let (row, differs) = line.trim_end_matches('|').rsplit_once('|').unwrap();
            let kept: Vec<&str> = differs
                .split(',')
                .map(str::trim)
                .filter(|entry| !entry.starts_with("`MAP_32BIT`"))
                .collect();
            let kept = if kept.is_empty() {
                "none".to_owned()
            } else {
                kept.join(", ")
            };
            format!("{row}| {kept} |\n")
        })
        .collect();
    assert!(
        dropped != doc,
        "docs/ABI.md does not list MAP_32BIT for x86_64"
    );
    let wrong = real_text_disagreements(&dropped, &arch_sources());
    assert!(wrong.iter().any(|w| w.contains("MAP_32BIT")), "{wrong:?}");
}
