//! Character-encoding handling: byte-order marks, UTF-16 and Windows-1252 transcoding, and a bounded line reader.
//!
//! Every reader sees UTF-8 bytes. UTF-16 (with a BOM, or recognised by its zero bytes) is transcoded, and a
//! file whose first 64 KiB are not valid UTF-8 is read as Windows-1252. Lines of a UTF-8 file that later turn
//! out to be invalid are decoded one by one as Windows-1252, with one warning.

use std::borrow::Cow;
use std::io::{self, BufRead, BufReader, Cursor, Read};

use encoding_rs::{CoderResult, Decoder, UTF_16BE, UTF_16LE, WINDOWS_1252};

use crate::Diagnostic;

/// How many bytes are read up front for detection.
pub(crate) const HEAD_LEN: usize = 64 * 1024;

/// Lines longer than this are truncated (with a warning) so memory stays bounded.
const MAX_LINE: usize = 64 * 1024 * 1024;

/// The encodings the readers recognise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Encoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    Windows1252,
}

/// Reads up to [`HEAD_LEN`] bytes from the start of the input.
pub(crate) fn read_head(reader: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(HEAD_LEN);
    reader.take(HEAD_LEN as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// Works out the encoding of a file from its first bytes, and the length of its byte-order mark.
pub(crate) fn sniff(head: &[u8]) -> (Encoding, usize) {
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return (Encoding::Utf8, 3);
    }
    if head.starts_with(&[0xFF, 0xFE]) {
        return (Encoding::Utf16Le, 2);
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return (Encoding::Utf16Be, 2);
    }
    if let [a, b, c, d, ..] = head {
        if *a != 0 && *b == 0 && *c != 0 && *d == 0 {
            return (Encoding::Utf16Le, 0);
        }
        if *a == 0 && *b != 0 && *c == 0 && *d != 0 {
            return (Encoding::Utf16Be, 0);
        }
    }
    match std::str::from_utf8(head) {
        Ok(_) => (Encoding::Utf8, 0),
        // An incomplete character cut by the 64 KiB boundary is still UTF-8.
        Err(e) if e.error_len().is_none() => (Encoding::Utf8, 0),
        Err(_) => (Encoding::Windows1252, 0),
    }
}

/// Decodes the head of a file to text for detection and messages (lossy).
pub(crate) fn head_text(head: &[u8]) -> String {
    let (enc, bom) = sniff(head);
    let body = head.get(bom..).unwrap_or_default();
    match enc {
        Encoding::Utf8 => String::from_utf8_lossy(body).into_owned(),
        Encoding::Utf16Le => UTF_16LE.decode_without_bom_handling(body).0.into_owned(),
        Encoding::Utf16Be => UTF_16BE.decode_without_bom_handling(body).0.into_owned(),
        Encoding::Windows1252 => WINDOWS_1252.decode_without_bom_handling(body).0.into_owned(),
    }
}

/// Decodes bytes that should be UTF-8, falling back to Windows-1252.
pub(crate) fn utf8_or_1252(bytes: &[u8]) -> (Cow<'_, str>, bool) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (Cow::Borrowed(s), false),
        Err(_) => (WINDOWS_1252.decode_without_bom_handling(bytes).0, true),
    }
}

/// The decoded input as UTF-8 bytes, plus what the line readers need to know.
pub(crate) struct Source<'a> {
    /// UTF-8 bytes (except for stray invalid sequences in a UTF-8 file).
    pub reader: Box<dyn BufRead + 'a>,
    /// True when lines end in a lone carriage return.
    lone_cr: bool,
    /// True once the Windows-1252 fallback warning has been given.
    warned_1252: bool,
    /// True once the long-line warning has been given.
    warned_long: bool,
}

impl<'a> Source<'a> {
    /// Wraps the already-read head and the rest of the input, transcoding when needed.
    pub(crate) fn new(head: Vec<u8>, rest: impl Read + 'a, diags: &mut Vec<Diagnostic>) -> Source<'a> {
        let (enc, bom) = sniff(&head);
        let has_lf = memchr::memchr(b'\n', &head).is_some();
        let has_cr = memchr::memchr(b'\r', &head).is_some();
        let lone_cr = has_cr && !has_lf && enc != Encoding::Utf16Le && enc != Encoding::Utf16Be;
        let mut head = head;
        head.drain(..bom.min(head.len()));
        let chained = Cursor::new(head).chain(rest);
        let reader: Box<dyn BufRead + 'a> = match enc {
            Encoding::Utf8 => Box::new(BufReader::with_capacity(256 * 1024, chained)),
            Encoding::Utf16Le => Box::new(Transcode::new(chained, UTF_16LE.new_decoder_without_bom_handling())),
            Encoding::Utf16Be => Box::new(Transcode::new(chained, UTF_16BE.new_decoder_without_bom_handling())),
            Encoding::Windows1252 => {
                diags.push(Diagnostic::warning(1, "The file is not valid UTF-8; it was read as Windows-1252. Check accented characters."));
                Box::new(Transcode::new(chained, WINDOWS_1252.new_decoder_without_bom_handling()))
            }
        };
        // UTF-16 files with lone CR line ends are too rare to special-case after transcoding.
        Source { reader, lone_cr, warned_1252: false, warned_long: false }
    }

    /// Reads the next line into `buf` without its line end. Returns false at the end of the input.
    pub(crate) fn next_line(&mut self, buf: &mut Vec<u8>, line_no: u32, diags: &mut Vec<Diagnostic>) -> io::Result<bool> {
        buf.clear();
        let term = if self.lone_cr { b'\r' } else { b'\n' };
        let mut any = false;
        let mut truncated = false;
        loop {
            let chunk = match self.reader.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                break;
            }
            any = true;
            let (take, done) = match memchr::memchr(term, chunk) {
                Some(i) => (i, true),
                None => (chunk.len(), false),
            };
            let room = MAX_LINE.saturating_sub(buf.len());
            if take > room {
                truncated = true;
            }
            buf.extend_from_slice(chunk.get(..take.min(room)).unwrap_or_default());
            let consumed = if done { take + 1 } else { take };
            self.reader.consume(consumed);
            if done {
                break;
            }
        }
        if truncated && !self.warned_long {
            self.warned_long = true;
            diags.push(Diagnostic::warning(line_no, "A line longer than 64 MiB was cut short."));
        }
        if !self.lone_cr && buf.last() == Some(&b'\r') {
            buf.pop();
        }
        Ok(any)
    }

    /// Decodes one line, falling back to Windows-1252 (with a single warning) when it is not UTF-8.
    pub(crate) fn decode<'b>(&mut self, bytes: &'b [u8], line_no: u32, diags: &mut Vec<Diagnostic>) -> Cow<'b, str> {
        let (s, fell_back) = utf8_or_1252(bytes);
        if fell_back && !self.warned_1252 {
            self.warned_1252 = true;
            diags.push(Diagnostic::warning(
                line_no,
                "This line is not valid UTF-8; it was read as Windows-1252 (later such lines are too).",
            ));
        }
        s
    }
}

/// A `BufRead` that transcodes another reader to UTF-8 with an `encoding_rs` decoder.
struct Transcode<R> {
    inner: R,
    decoder: Decoder,
    input: Vec<u8>,
    in_start: usize,
    in_end: usize,
    eof: bool,
    finished: bool,
    output: Vec<u8>,
    out_pos: usize,
    out_len: usize,
}

impl<R: Read> Transcode<R> {
    fn new(inner: R, decoder: Decoder) -> Self {
        Transcode {
            inner,
            decoder,
            input: vec![0; 64 * 1024],
            in_start: 0,
            in_end: 0,
            eof: false,
            finished: false,
            output: vec![0; 192 * 1024 + 16],
            out_pos: 0,
            out_len: 0,
        }
    }
}

impl<R: Read> Read for Transcode<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), avail.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Transcode<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.out_pos >= self.out_len {
            if self.finished {
                self.out_pos = 0;
                self.out_len = 0;
                break;
            }
            if self.in_start >= self.in_end && !self.eof {
                self.in_start = 0;
                self.in_end = 0;
                let n = loop {
                    match self.inner.read(&mut self.input) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(e),
                    }
                };
                self.in_end = n;
                if n == 0 {
                    self.eof = true;
                }
            }
            let src = self.input.get(self.in_start..self.in_end).unwrap_or_default();
            let (res, read, written, _) = self.decoder.decode_to_utf8(src, &mut self.output, self.eof);
            self.in_start += read;
            self.out_pos = 0;
            self.out_len = written;
            if self.eof && res == CoderResult::InputEmpty {
                self.finished = true;
            }
        }
        Ok(self.output.get(self.out_pos..self.out_len).unwrap_or_default())
    }

    fn consume(&mut self, amt: usize) {
        self.out_pos = (self.out_pos + amt).min(self.out_len);
    }
}
