//! Every import points one way: no module of the library, nor of the command line,
//! reaches back to a module that reaches it.
//!
//! Reads the source files, takes each `crate::...` and `super::...` path in their code
//! (comments and `#[cfg(test)] mod tests` left out) and resolves it to the module it
//! names; an edge from a module to one inside it (a parent's `mod` and re-exports) is
//! containment, not an import. Then looks for a cycle. `cargo test --test architecture
//! -- --nocapture` prints every edge.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module path such as `cli::settings::table`; the crate root is "".
type Module = String;

#[test]
fn the_library_has_no_import_cycle() {
    let edges = edges(&src().join("lib.rs"), "");
    print_edges("library", &edges);
    assert_no_cycle(&edges);
    assert!(edges["client"].contains("transport"), "{edges:?}");
}

#[test]
fn each_library_module_imports_only_those_above_it_in_lib_rs_list() {
    let edges = edges(&src().join("lib.rs"), "");
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let order: Vec<&str> = lib
        .lines()
        .filter_map(|line| line.strip_prefix("// - `")?.split('`').next())
        .collect();
    let listed: BTreeSet<&str> = order.iter().copied().collect();
    let modules: BTreeSet<&str> = edges
        .keys()
        .map(String::as_str)
        .filter(|m| !m.is_empty())
        .collect();
    assert_eq!(
        listed, modules,
        "the list of modules in lib.rs lists every module once"
    );
    for (at, module) in order.iter().enumerate() {
        for target in &edges[*module] {
            assert!(
                order[..at].contains(&target.as_str()),
                "{module} imports {target}, which lib.rs lists below it"
            );
        }
    }
}

#[test]
fn the_root_exports_nothing_that_is_unversioned() {
    let read = |file: &str| std::fs::read_to_string(src().join(file)).unwrap();
    // The names `unversioned` gives: its `pub use` items and its functions.
    let unversioned = read("unversioned.rs");
    let mut names: Vec<String> = Vec::new();
    for line in unversioned.lines() {
        if let Some(used) = line.strip_prefix("pub use ") {
            let items = used.rsplit("::").next().unwrap();
            names.extend(
                items
                    .trim_matches(|c| matches!(c, '{' | '}' | ';'))
                    .split(',')
                    .map(|name| name.trim().to_owned()),
            );
        }
        if let Some(function) = line.strip_prefix("pub fn ") {
            names.push(function.split('(').next().unwrap().to_owned());
        }
    }
    assert!(names.len() >= 6, "{names:?}");
    let lib = read("lib.rs");
    let root: String = lib
        .split("pub use ")
        .skip(1)
        .map(|export| export.split(';').next().unwrap())
        .collect();
    let words: BTreeSet<&str> = root
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .collect();
    for name in &names {
        assert!(!words.contains(name.as_str()), "the root exports {name}");
    }
}

#[test]
fn no_function_is_over_100_lines_and_no_file_over_700_without_its_tests() {
    let mut files = vec![src()];
    let mut checked = 0;
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".rs") || name == "tests.rs" || name == "documented.rs" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        // The code: what comes before the file's `#[cfg(test)]` module.
        let code: Vec<&str> = text
            .lines()
            .take_while(|line| !line.starts_with("#[cfg(test)]"))
            .collect();
        assert!(
            code.len() <= 700,
            "{}: {} lines of code",
            path.display(),
            code.len()
        );
        for (at, line) in code.iter().enumerate() {
            let words: Vec<&str> = line.split_whitespace().collect();
            let Some(fn_at) = words.iter().position(|word| *word == "fn") else {
                continue;
            };
            if !words[..fn_at]
                .iter()
                .all(|w| ["pub", "pub(crate)", "pub(super)", "const"].contains(w))
            {
                continue;
            }
            // Its length: from the `fn` line to the line that closes its body.
            let (mut depth, mut opened, mut end) = (0i64, false, at);
            for (i, body) in code.iter().enumerate().skip(at) {
                depth += body.matches('{').count() as i64 - body.matches('}').count() as i64;
                opened |= body.contains('{');
                end = i;
                if (opened && depth <= 0) || (!opened && body.trim_end().ends_with(';')) {
                    break;
                }
            }
            let length = end - at + 1;
            assert!(
                length <= 100,
                "{}:{}: {line} is {length} lines",
                path.display(),
                at + 1
            );
            checked += 1;
        }
    }
    assert!(checked > 300, "only {checked} functions found");
}

#[test]
fn the_command_line_has_no_import_cycle() {
    let edges = edges(&src().join("main.rs"), "");
    print_edges("command line", &edges);
    assert_no_cycle(&edges);
    assert!(
        edges["cli::settings::sources"].contains("cli::settings::table"),
        "{edges:?}"
    );
}

#[test]
fn origins_import_nothing_else_of_the_command_line() {
    let edges = edges(&src().join("main.rs"), "");
    assert_eq!(edges["cli::origin"], BTreeSet::new());
}

#[test]
fn a_cycle_is_found() {
    let mut edges = BTreeMap::new();
    edges.insert("a".to_owned(), BTreeSet::from(["b".to_owned()]));
    edges.insert("b".to_owned(), BTreeSet::from(["c".to_owned()]));
    edges.insert("c".to_owned(), BTreeSet::from(["a".to_owned()]));
    assert_eq!(
        cycle(&edges),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    edges.get_mut("c").unwrap().clear();
    assert_eq!(cycle(&edges), None);
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The modules declared from `file` (the module `module`) down, and what each imports.
fn edges(file: &Path, module: &str) -> BTreeMap<Module, BTreeSet<Module>> {
    let mut files = BTreeMap::new();
    collect(file, module, &mut files);
    let modules: BTreeSet<Module> = files.keys().cloned().collect();
    files
        .iter()
        .map(|(module, code)| {
            let targets = paths(code)
                .into_iter()
                .filter_map(|path| resolve(module, &path, &modules))
                .filter(|target| target != module && !inside(target, module))
                .collect();
            (module.clone(), targets)
        })
        .collect()
}

/// Reads `file` as `module` and every module it declares with `mod name;`.
fn collect(file: &Path, module: &str, files: &mut BTreeMap<Module, String>) {
    let code = code_of(&std::fs::read_to_string(file).unwrap());
    let folder = match file.file_name().and_then(|n| n.to_str()) {
        Some("lib.rs" | "main.rs" | "mod.rs") => file.parent().unwrap().to_owned(),
        _ => file.with_extension(""),
    };
    for line in code.lines() {
        let line = line.trim();
        let line = line.strip_prefix("pub ").unwrap_or(line);
        let Some(name) = line.strip_prefix("mod ").and_then(|l| l.strip_suffix(';')) else {
            continue;
        };
        let child = if module.is_empty() {
            name.to_owned()
        } else {
            format!("{module}::{name}")
        };
        let path = match folder.join(format!("{name}.rs")) {
            path if path.exists() => path,
            _ => folder.join(name).join("mod.rs"),
        };
        collect(&path, &child, files);
    }
    files.insert(module.to_owned(), code);
}

/// The code of a file without comments and without its test module (or, for a
/// declared `mod tests;`, nothing of it: `collect` skips what follows `#[cfg(test)]`).
fn code_of(text: &str) -> String {
    let mut code = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if trimmed == "#[cfg(test)]" {
            match lines.peek().map(|l| l.trim()) {
                Some("mod tests {") => break,
                Some(_) => {
                    lines.next();
                    continue;
                }
                None => break,
            }
        }
        if !trimmed.starts_with("//") {
            code.push_str(line);
            code.push('\n');
        }
    }
    code
}

/// Every `crate::a::b` and `super::a` path in `code`, with the names of a `{...}` list
/// after it joined on.
fn paths(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    for start in ["crate::", "super::"] {
        let mut rest = code;
        while let Some(at) = rest.find(start) {
            let before = rest[..at].chars().last();
            rest = &rest[at..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            let path = rest[..end].trim_end_matches(':').to_owned();
            let is_path = !before.is_some_and(|c| c.is_alphanumeric() || c == '_');
            if is_path {
                if rest[end..].starts_with('{') {
                    let close = rest[end..].find('}').map_or(rest.len(), |i| end + i);
                    for name in rest[end + 1..close].split(',') {
                        let name = name.trim().split([' ', ':']).next().unwrap_or("");
                        if !name.is_empty() {
                            found.push(format!("{path}::{name}"));
                        }
                    }
                } else {
                    found.push(path);
                }
            }
            rest = &rest[end.max(1)..];
        }
    }
    found
}

/// The module a path from `module` names: the longest module that starts it.
fn resolve(module: &str, path: &str, modules: &BTreeSet<Module>) -> Option<Module> {
    let mut parts: Vec<&str> = Vec::new();
    let mut segments = path.split("::").peekable();
    match segments.peek() {
        Some(&"crate") => {
            segments.next();
        }
        Some(&"super") => {
            parts = module.split("::").collect();
            while segments.peek() == Some(&"super") {
                segments.next();
                parts.pop();
            }
        }
        _ => return None,
    }
    parts.extend(segments);
    (0..=parts.len())
        .rev()
        .map(|n| parts[..n].join("::"))
        .find(|candidate| modules.contains(candidate))
}

/// Whether `inner` is a module inside `outer`.
fn inside(inner: &str, outer: &str) -> bool {
    outer.is_empty() || inner.starts_with(&format!("{outer}::"))
}

/// A cycle of imports, from a module back to itself, if there is one.
fn cycle(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Option<Vec<Module>> {
    fn visit(
        module: &Module,
        edges: &BTreeMap<Module, BTreeSet<Module>>,
        path: &mut Vec<Module>,
        done: &mut BTreeSet<Module>,
    ) -> Option<Vec<Module>> {
        if let Some(at) = path.iter().position(|m| m == module) {
            let mut found = path[at..].to_vec();
            found.push(module.clone());
            return Some(found);
        }
        if done.contains(module) {
            return None;
        }
        path.push(module.clone());
        for next in edges.get(module).into_iter().flatten() {
            if let Some(found) = visit(next, edges, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(module.clone());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|module| visit(module, edges, &mut Vec::new(), &mut done))
}

#[track_caller]
fn assert_no_cycle(edges: &BTreeMap<Module, BTreeSet<Module>>) {
    if let Some(cycle) = cycle(edges) {
        panic!("imports go round: {}", cycle.join(" -> "));
    }
}

fn print_edges(what: &str, edges: &BTreeMap<Module, BTreeSet<Module>>) {
    println!("{what}:");
    for (module, targets) in edges {
        let name = if module.is_empty() { "(root)" } else { module };
        let targets: Vec<&str> = targets.iter().map(String::as_str).collect();
        println!("  {name} -> {}", targets.join(", "));
    }
}
