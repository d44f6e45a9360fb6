//! Just enough of Rust's lexical rules to find functions in a source file
//! and to tell code from comments, without parsing it: comments, string and
//! character literals are recognised so that a brace or a `//` inside them
//! counts for nothing.
/// What a byte of a source file belongs to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Class {
    Code,
    Comment,
    Literal,
}

/// The class of every byte of `text`.
fn classify(text: &str) -> Vec<Class> {
    let b = text.as_bytes();
    let mut class = vec![Class::Code; b.len()];
    let mut i = 0;
    let mark = |from: usize, to: usize, c: Class, class: &mut Vec<Class>| {
        for x in &mut class[from..to.min(b.len())] {
            *x = c;
        }
    };
    while i < b.len() {
        let rest = &b[i..];
        if rest.starts_with(b"//") {
            let end = rest.iter().position(|&c| c == b'\n').map_or(b.len(), |n| i + n);
            mark(i, end, Class::Comment, &mut class);
            i = end;
        } else if rest.starts_with(b"/*") {
            let end = block_comment_end(b, i);
            mark(i, end, Class::Comment, &mut class);
            i = end;
        } else if let Some(end) = raw_string_end(b, i) {
            mark(i, end, Class::Literal, &mut class);
            i = end;
        } else if b[i] == b'"' {
            let end = string_end(b, i);
            mark(i, end, Class::Literal, &mut class);
            i = end;
        } else if b[i] == b'\'' {
            match char_literal_end(text, i) {
                Some(end) => {
                    mark(i, end, Class::Literal, &mut class);
                    i = end;
                }
                None => i += 1,
            }
        } else {
            i += 1;
        }
    }
    class
}

/// Where a block comment starting at `i` ends (they nest in Rust).
fn block_comment_end(b: &[u8], i: usize) -> usize {
    let (mut depth, mut j) = (0usize, i);
    while j < b.len() {
        if b[j..].starts_with(b"/*") {
            depth += 1;
            j += 2;
        } else if b[j..].starts_with(b"*/") {
            depth -= 1;
            j += 2;
            if depth == 0 {
                break;
            }
        } else {
            j += 1;
        }
    }
    j
}

/// Where a string literal starting at `i` (its `"`) ends.
fn string_end(b: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    while j < b.len() && b[j] != b'"' {
        j += if b[j] == b'\\' { 2 } else { 1 };
    }
    (j + 1).min(b.len())
}

/// Where a character literal ('x', '\n', '{') starting at `i` ends, or
/// `None` for a lifetime.
fn char_literal_end(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    if b.get(i + 1) == Some(&b'\\') {
        // The escaped character may itself be a quote: '\''.
        return b[i..].iter().skip(3).position(|&c| c == b'\'').map(|n| i + n + 4);
    }
    let width = text[i + 1..].chars().next().map_or(1, char::len_utf8);
    (b.get(i + 1 + width) == Some(&b'\'')).then_some(i + width + 2)
}

/// Where a raw string (`r"…"`, `r#"…"#`, `br"…"`) starting at `i` ends.
fn raw_string_end(b: &[u8], i: usize) -> Option<usize> {
    if i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_') {
        return None;
    }
    let start = if b[i..].starts_with(b"br") {
        i + 2
    } else if b[i] == b'r' {
        i + 1
    } else {
        return None;
    };
    let hashes = b[start..].iter().take_while(|&&c| c == b'#').count();
    if b.get(start + hashes) != Some(&b'"') {
        return None;
    }
    let mut close = vec![b'"'];
    close.extend(std::iter::repeat_n(b'#', hashes));
    let body = start + hashes + 1;
    let n = b[body..].windows(close.len()).position(|w| w == close.as_slice())?;
    Some(body + n + close.len())
}

/// The functions of `text` as (name, first byte of its line, end of its
/// body): every `fn name(` or `fn name<` with a body, found in code only.
fn functions(text: &str) -> Vec<(String, usize, usize)> {
    let b = text.as_bytes();
    let class = classify(text);
    let code = |i: usize| class.get(i) == Some(&Class::Code);
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(n) = text[i..].find("fn ") {
        let at = i + n;
        i = at + 3;
        if !code(at) || (at > 0 && ident(b[at - 1])) {
            continue;
        }
        let name_start = at + 3 + b[at + 3..].iter().take_while(|c| c.is_ascii_whitespace()).count();
        let name_len = b[name_start..].iter().take_while(|&&c| ident(c)).count();
        let after = name_start + name_len;
        if name_len == 0 || !matches!(b.get(after), Some(b'(' | b'<')) {
            continue;
        }
        let Some(open) = body_open(b, after, code) else { continue };
        let Some(close) = body_close(b, open, code) else { continue };
        let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
        found.push((text[name_start..after].to_string(), line_start, close));
    }
    found
}

/// The body's `{`: the first outside the parameters' parentheses from
/// `after`, unless a `;` comes first (a declaration without a body).
fn body_open(b: &[u8], after: usize, code: impl Fn(usize) -> bool) -> Option<usize> {
    let mut parens = 0i32;
    for (j, &c) in b.iter().enumerate().skip(after) {
        if !code(j) {
            continue;
        }
        match c {
            b'(' => parens += 1,
            b')' => parens -= 1,
            b';' if parens == 0 => return None,
            b'{' if parens == 0 => return Some(j),
            _ => {}
        }
    }
    None
}

/// Just past the `}` that closes the `{` at `open`.
fn body_close(b: &[u8], open: usize, code: impl Fn(usize) -> bool) -> Option<usize> {
    let mut depth = 0i32;
    for (j, &c) in b.iter().enumerate().skip(open) {
        if !code(j) {
            continue;
        }
        match c {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(j + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// The names of the functions whose body holds a `todo!(` in code.
pub fn functions_with_todo(text: &str) -> Vec<String> {
    let class = classify(text);
    let mut names = Vec::new();
    for (name, start, end) in functions(text) {
        let body = &text[start..end];
        let has_todo = body.match_indices("todo!(").any(|(n, _)| class[start + n] == Class::Code);
        if has_todo && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// The text of the first function called `name`, from the start of its
/// `fn` line to its closing brace.
pub fn function(text: &str, name: &str) -> Option<String> {
    let (_, start, end) = functions(text).into_iter().find(|(n, _, _)| n == name)?;
    Some(text[start..end].to_string())
}

/// `text` without its comments and blank lines, each line's trailing
/// spaces trimmed: two versions that differ only there come out equal.
pub fn without_comments(text: &str) -> String {
    let class = classify(text);
    let mut out = String::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let kept: String =
            line.char_indices().filter(|&(n, _)| class[offset + n] != Class::Comment).map(|(_, c)| c).collect();
        offset += line.len();
        let kept = kept.trim_end();
        if !kept.trim().is_empty() {
            out.push_str(kept);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = r##"
/// A doc comment with fn fake() { todo!() } in it.
pub fn given(addr: &str) -> io::Result<()> {
    let braces = "}}} // not a comment {";
    let c = '{';
    let (quote, brace) = ('\'', '\u{7b}');
    Ok(())
}

fn yours<'a>(line: &'a str) -> Option<&'a str> {
    // TODO: a comment with a } brace.
    let _ = line; /* a block { comment */
    todo!("answer {line:?} with r#\"{\"#")
}

fn also_yours(x: u8) -> u8 {
    if x > 0 {
        todo!()
    }
    0
}
"##;

    #[test]
    fn only_the_functions_holding_a_todo_are_found() {
        assert_eq!(functions_with_todo(SOURCE), ["yours", "also_yours"]);
    }

    #[test]
    fn a_function_ends_at_its_own_closing_brace() {
        let yours = function(SOURCE, "yours").unwrap();
        assert!(yours.starts_with("fn yours<'a>"), "{yours}");
        assert!(yours.ends_with("\")\n}"), "{yours}");
        let given = function(SOURCE, "given").unwrap();
        assert!(given.starts_with("pub fn given") && given.ends_with("Ok(())\n}"), "{given}");
        assert_eq!(function(SOURCE, "fake"), None, "a fn in a comment is no function");
    }

    #[test]
    fn comments_and_blank_lines_are_left_out() {
        let yours = without_comments(&function(SOURCE, "yours").unwrap());
        assert_eq!(yours, "fn yours<'a>(line: &'a str) -> Option<&'a str> {\n    let _ = line;\n    todo!(\"answer {line:?} with r#\\\"{\\\"#\")\n}\n");
        let reworded = "fn f() {\n    // one way to say it\n\n    g(); // why\n}\n";
        let other = "fn f() {\n    // another way\n    g();\n}\n";
        assert_eq!(without_comments(reworded), without_comments(other));
        assert_eq!(without_comments("let url = \"http://x\"; // c\n"), "let url = \"http://x\";\n");
    }
}
