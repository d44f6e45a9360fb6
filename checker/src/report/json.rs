//! `--format json`: the report as one JSON document.

use super::Report;

pub fn render(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(report).expect("the report holds only strings and numbers");
    text.push('\n');
    text
}
