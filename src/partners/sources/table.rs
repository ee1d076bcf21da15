//! An export read as a table: its bytes decoded to text (a byte-order mark
//! skipped, UTF-16 and Windows-1252 turned into UTF-8), its delimiter found
//! in the header line when not set, and its rows parsed by the `csv` crate.
//! Each cell keeps where it starts in the text, so a problem is shown at
//! its row and column; the text is the decoded file, which diagnostics
//! show one line of.

use std::ops::Range;
use std::sync::Arc;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// A decoded export: its header and rows.
pub struct Table {
    /// Column headers, trimmed.
    pub headers: Vec<String>,
    /// Where the header line is.
    pub header_range: Range<usize>,
    /// The data rows.
    pub rows: Vec<Row>,
}

/// One data row.
pub struct Row {
    /// Its cells, trimmed, in column order.
    pub cells: Vec<String>,
    /// Where each cell is in the text.
    pub ranges: Vec<Range<usize>>,
    /// Where the row is, for problems about the whole row.
    pub range: Range<usize>,
}

impl Table {
    /// The index of the column headed `header` (compared without case or
    /// surrounding spaces).
    pub fn column(&self, header: &str) -> Option<usize> {
        let wanted = header.trim();
        self.headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(wanted))
    }
}

/// `bytes` as text in `encoding` (a name from
/// [`crate::input::sources::ENCODINGS`], UTF-8 by default; a byte-order mark
/// decides over it). `Err` names what was wrong and the byte it starts at.
pub fn decode(bytes: &[u8], encoding: Option<&str>) -> Result<String, (String, usize)> {
    let (chosen, skip) = match Encoding::for_bom(bytes) {
        Some((found, bom)) => (found, bom),
        None => {
            let named: &'static Encoding = match encoding {
                Some("utf-16") => UTF_16LE,
                Some("windows-1252") => WINDOWS_1252,
                _ => UTF_8,
            };
            (named, 0)
        }
    };
    let body = &bytes[skip..];
    if chosen == UTF_8 {
        return String::from_utf8(body.to_vec()).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            ("this file is not UTF-8".to_string(), at + skip)
        });
    }
    let (text, malformed) = chosen.decode_without_bom_handling(body);
    if malformed && (chosen == UTF_16LE || chosen == UTF_16BE) {
        return Err(("this file is not valid UTF-16".to_string(), skip));
    }
    Ok(text.into_owned())
}

/// The delimiter of a CSV whose first line is `header`: the one of `,` `;`
/// tab `|` it holds most often (a comma when it holds none).
pub fn detect_delimiter(header: &str) -> u8 {
    [b',', b';', b'\t', b'|']
        .into_iter()
        .max_by_key(|d| (header.bytes().filter(|b| b == d).count(), *d == b','))
        .unwrap_or(b',')
}

/// A record's trimmed cells and the byte it starts at.
type Record = (Vec<String>, usize);

/// Parses `text` as CSV with `delimiter`, the first line the headers.
/// `Err` gives a message and the byte it is at.
pub fn parse(text: Arc<str>, delimiter: u8) -> Result<Table, (String, usize)> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.byte_records();
    let mut next = || -> Result<Option<Record>, (String, usize)> {
        match records.next() {
            None => Ok(None),
            Some(Ok(record)) => {
                // After a `\r\n`, the reader gives the `\n` as the start.
                let mut start = record.position().map_or(0, |p| p.byte() as usize);
                while matches!(text.as_bytes().get(start), Some(b'\r' | b'\n')) {
                    start += 1;
                }
                let cells = record
                    .iter()
                    .map(|cell| String::from_utf8_lossy(cell).trim().to_string())
                    .collect();
                Ok(Some((cells, start)))
            }
            Some(Err(e)) => {
                let at = e.position().map_or(0, |p| p.byte() as usize);
                Err((format!("this line is not CSV: {}", csv_reason(&e)), at))
            }
        }
    };
    let Some((headers, header_start)) = next()? else {
        return Err(("this file is empty: expected a header line".to_string(), 0));
    };
    let header_range = header_start..line_end(&text, header_start);
    let mut rows = Vec::new();
    while let Some((cells, start)) = next()? {
        if cells.iter().all(String::is_empty) {
            continue;
        }
        let ranges = cell_ranges(&text, start, delimiter, cells.len());
        let range = start..line_end(&text, start);
        rows.push(Row {
            cells,
            ranges,
            range,
        });
    }
    Ok(Table {
        headers,
        header_range,
        rows,
    })
}

/// What the `csv` crate says is wrong, without its own position.
fn csv_reason(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::Utf8 { .. } => "a cell is not valid text".to_string(),
        _ => error.to_string(),
    }
}

fn line_end(text: &str, start: usize) -> usize {
    text[start.min(text.len())..]
        .find('\n')
        .map_or(text.len(), |end| start + end)
}

/// Where each of the `count` cells of the record starting at `start` is:
/// the text of a quoted cell between its quotes, of another cell without
/// its surrounding spaces. Only used to point at a cell, so a cell it cannot
/// find is placed at the row's end.
fn cell_ranges(text: &str, start: usize, delimiter: u8, count: usize) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut ranges = Vec::with_capacity(count);
    let mut at = start;
    for _ in 0..count {
        if at >= bytes.len() {
            ranges.push(bytes.len()..bytes.len());
            continue;
        }
        let mut cell_start = at;
        while cell_start < bytes.len() && bytes[cell_start] == b' ' {
            cell_start += 1;
        }
        let (content, end) = if bytes.get(cell_start) == Some(&b'"') {
            let mut i = cell_start + 1;
            loop {
                match bytes.get(i) {
                    None => break (cell_start + 1..i, i),
                    Some(b'"') if bytes.get(i + 1) == Some(&b'"') => i += 2,
                    Some(b'"') => break (cell_start + 1..i, i + 1),
                    Some(_) => i += 1,
                }
            }
        } else {
            let mut i = cell_start;
            while i < bytes.len() && bytes[i] != delimiter && bytes[i] != b'\n' && bytes[i] != b'\r'
            {
                i += 1;
            }
            let mut trimmed = i;
            while trimmed > cell_start && bytes[trimmed - 1] == b' ' {
                trimmed -= 1;
            }
            (cell_start..trimmed, i)
        };
        ranges.push(content);
        let mut next = end;
        while next < bytes.len() && bytes[next] != delimiter && bytes[next] != b'\n' {
            next += 1;
        }
        at = if bytes.get(next) == Some(&delimiter) {
            next + 1
        } else {
            next
        };
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_found_where_they_are_written_quoted_or_not() {
        let text: Arc<str> = Arc::from("Name;Score\r\n\"Lee, \"\"J\"\"\"; 3,5 \r\nKim;4\n");
        let table = parse(text.clone(), b';').expect("a table");
        assert_eq!(table.headers, ["Name", "Score"]);
        assert_eq!(table.rows[0].cells, ["Lee, \"J\"", "3,5"]);
        let shown: Vec<&str> = table.rows[0]
            .ranges
            .iter()
            .map(|r| &text[r.clone()])
            .collect();
        assert_eq!(shown, ["Lee, \"\"J\"\"", "3,5"]);
        assert_eq!(&text[table.rows[1].ranges[1].clone()], "4");
    }

    #[test]
    fn the_delimiter_is_the_one_the_header_uses_most() {
        assert_eq!(detect_delimiter("a;b;c"), b';');
        assert_eq!(detect_delimiter("a\tb,c\td"), b'\t');
        assert_eq!(detect_delimiter("single"), b',');
    }

    #[test]
    fn a_byte_order_mark_decides_the_encoding() {
        assert_eq!(decode(b"\xEF\xBB\xBFa,b", None).expect("utf-8"), "a,b");
        assert_eq!(decode(b"\xFF\xFEa\0,\0b\0", None).expect("utf-16"), "a,b");
        assert_eq!(
            decode(b"caf\xE9", Some("windows-1252")).expect("1252"),
            "café"
        );
        assert_eq!(decode(b"caf\xE9", None).map_err(|e| e.1), Err(3));
    }
}
