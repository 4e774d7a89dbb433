//! Grid and simple tables: the structure docutils insists on (borders,
//! column margins, a blank line after), and the references their cells use.

use super::body::Parser;
use super::inline::{self, Inline, Mode};
use super::lines::{Line, column_width};
use super::patterns::{GRID_TABLE_BORDER, SIMPLE_TABLE_BORDER};

/// A grid table starting at `i`; the position after it.
pub(super) fn grid(p: &mut Parser<'_>, lines: &[Line], i: usize) -> usize {
    let mut end = i;
    let mut blank_finish = true;
    while end < lines.len() && !lines[end].is_blank() {
        if lines[end].text().starts_with(' ') {
            p.doc.error(lines[end].number, "Unexpected indentation.");
            blank_finish = false;
            break;
        }
        end += 1;
    }
    let mut block: Vec<&Line> = lines[i..end].iter().collect();
    if let Some(cut) = block.iter().position(|l| !l.text().starts_with(['+', '|'])) {
        blank_finish = false;
        block.truncate(cut);
        end = i + cut;
    }
    let is_border = |l: &Line| GRID_TABLE_BORDER.is_match(l.text().trim());
    if !block.last().is_some_and(|l| is_border(l)) {
        blank_finish = false;
        match (2..block.len().saturating_sub(1))
            .rev()
            .find(|&k| is_border(block[k]))
        {
            Some(k) => {
                block.truncate(k + 1);
                end = i + k + 1;
            }
            None => {
                p.doc.error(lines[i].number, "Malformed table.");
                return end;
            }
        }
    }
    let width = column_width(block[0].text().trim());
    let ragged = block.iter().any(|l| {
        let text = l.text().trim();
        column_width(text) != width || !text.ends_with(['+', '|'])
    });
    if ragged {
        p.doc.error(lines[i].number, "Malformed table.");
    } else {
        grid_cells(p, &block);
    }
    if !blank_finish {
        blank_after(p, lines, end);
    }
    end
}

fn blank_after(p: &mut Parser<'_>, lines: &[Line], end: usize) {
    let line = lines.get(end).map_or(end + 1, |l| l.number);
    p.doc.warning(line, "Blank line required after table.");
}

/// Note what each cell refers to: cells are cut at the top border's `+`
/// columns, joined across the rows between separators.
fn grid_cells(p: &mut Parser<'_>, block: &[&Line]) {
    let top: Vec<char> = block[0].text().chars().collect();
    let edges: Vec<usize> = top
        .iter()
        .enumerate()
        .filter(|(_, c)| **c == '+')
        .map(|(k, _)| k)
        .collect();
    let mut cells: Vec<(String, usize)> = vec![(String::new(), 0); edges.len()];
    for line in &block[1..] {
        let row: Vec<char> = line.text().chars().collect();
        if row.first() == Some(&'+') {
            flush(p, &mut cells);
            continue;
        }
        let mut column = 0;
        while column + 1 < edges.len() {
            let from = edges[column] + 1;
            let mut next = column + 1;
            while next + 1 < edges.len() && row.get(edges[next]) != Some(&'|') {
                next += 1;
            }
            let text: String = row
                .get(from..edges[next].min(row.len()))
                .map(|s| s.iter().collect())
                .unwrap_or_default();
            let cell = &mut cells[column];
            if cell.0.is_empty() {
                cell.1 = line.number;
            }
            cell.0.push_str(text.trim());
            cell.0.push('\n');
            column = next;
        }
    }
    flush(p, &mut cells);
}

fn flush(p: &mut Parser<'_>, cells: &mut [(String, usize)]) {
    for (text, line) in cells.iter_mut() {
        if !text.trim().is_empty() {
            inline::parse(
                p.doc,
                Inline {
                    text: text.trim(),
                    line: *line,
                    mode: Mode::Collect,
                },
            );
        }
        text.clear();
    }
}

/// A simple table starting at `i`: it ends at a border followed by a blank
/// line (or the second border after the top); the position after it.
pub(super) fn simple(p: &mut Parser<'_>, lines: &[Line], i: usize) -> usize {
    let top_width = lines[i].text().trim().chars().count();
    let mut found = 0;
    let mut end = None;
    for k in i + 1..lines.len() {
        let text = lines[k].text();
        if !SIMPLE_TABLE_BORDER.is_match(text) && !is_single_border(text) {
            continue;
        }
        if text.trim().chars().count() != top_width {
            p.doc.error(
                lines[i].number,
                "Malformed table.\nBottom/header table border does not match top border.",
            );
            return k + 1;
        }
        found += 1;
        let blank_next = lines.get(k + 1).is_none_or(Line::is_blank);
        if found == 2 || blank_next {
            end = Some(k);
            break;
        }
    }
    let Some(last) = end else {
        let extra = if found > 0 {
            " or no blank line after table bottom"
        } else {
            ""
        };
        p.doc.error(
            lines[i].number,
            format!("Malformed table.\nNo bottom table border found{extra}."),
        );
        return lines.len();
    };
    let block = &lines[i..=last];
    match column_margin_problem(block) {
        Some(message) => p
            .doc
            .error(lines[i].number, format!("Malformed table.\n{message}")),
        None => simple_cells(p, block),
    }
    if lines.get(last + 1).is_some_and(|l| !l.is_blank()) {
        blank_after(p, lines, last + 1);
    }
    last + 1
}

/// docutils' border pattern also takes a one-column border (`=====`).
fn is_single_border(text: &str) -> bool {
    let text = text.trim_end();
    !text.is_empty() && text.chars().all(|c| c == '=')
}

/// The columns of a simple table: runs of `=` in its top border.
fn columns(border: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (k, c) in border.chars().chain(std::iter::once(' ')).enumerate() {
        match (c, start) {
            ('=', None) => start = Some(k),
            (' ', Some(s)) => {
                out.push((s, k));
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// Text between columns (other than past the last one) is not allowed.
/// Rows with column-span underlines are left alone.
fn column_margin_problem(block: &[Line]) -> Option<String> {
    let cols = columns(block[0].text());
    let is_span = |t: &str| !t.trim().is_empty() && t.chars().all(|c| c == '-' || c == ' ');
    if block.iter().any(|l| is_span(l.text())) {
        return None;
    }
    for (offset, line) in block.iter().enumerate() {
        if SIMPLE_TABLE_BORDER.is_match(line.text()) || is_single_border(line.text()) {
            continue;
        }
        let row: Vec<char> = line.text().chars().collect();
        for pair in cols.windows(2) {
            let gap = &row[pair[0].1.min(row.len())..pair[1].0.min(row.len())];
            if gap.iter().any(|c| !c.is_whitespace()) {
                return Some(format!(
                    "Text in column margin in table line {}.",
                    offset + 1
                ));
            }
        }
    }
    None
}

fn simple_cells(p: &mut Parser<'_>, block: &[Line]) {
    let cols = columns(block[0].text());
    for line in block {
        if SIMPLE_TABLE_BORDER.is_match(line.text()) || is_single_border(line.text()) {
            continue;
        }
        let row: Vec<char> = line.text().chars().collect();
        for (index, &(start, end)) in cols.iter().enumerate() {
            let end = if index + 1 == cols.len() {
                row.len()
            } else {
                end
            };
            let text: String = row
                .get(start.min(row.len())..end.min(row.len()))
                .map(|s| s.iter().collect())
                .unwrap_or_default();
            if !text.trim().is_empty() {
                inline::parse(
                    p.doc,
                    Inline {
                        text: text.trim(),
                        line: line.number,
                        mode: Mode::Collect,
                    },
                );
            }
        }
    }
}
