//! Searching by words, as people type them: the text folded as deduplication folds it (lower case,
//! accents and punctuation dropped), every word required, in any order, as any part of a word. Used
//! by the search of one's own decisions and of a review's records.

/// The words of a search.
#[derive(Clone, Debug)]
pub struct Words(Vec<String>);

impl Words {
    /// `None` when the text holds no word.
    pub fn new(text: &str) -> Option<Words> {
        let words: Vec<String> = dedup::fold(text).split(' ').filter(|w| !w.is_empty()).map(str::to_owned).collect();
        (!words.is_empty()).then_some(Words(words))
    }

    /// Whether every word appears somewhere in `parts`, taken together.
    pub fn found_in<'a>(&self, parts: impl IntoIterator<Item = &'a str>) -> bool {
        let mut text = String::new();
        for p in parts {
            text.push_str(p);
            text.push(' ');
        }
        let folded = dedup::fold(&text);
        self.0.iter().all(|w| folded.contains(w.as_str()))
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::Words;

    #[test]
    fn every_word_somewhere_any_case_accent_and_order() {
        let w = Words::new("ØDEGÅRD navig").expect("words");
        assert!(w.found_in(["Peer navigators", "Ødegård, K."]));
        assert!(!w.found_in(["Peer navigators"]), "every word");
        assert!(Words::new(" ;, ").is_none());
    }
}
