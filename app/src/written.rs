//! HTML written once per value and language: a long list (a provenance timeline of 500
//! entries, a venue of 500 robots) costs more as a view per cell than the rest of its page,
//! so its rows are written into one escaped string, and kept while the value they were
//! written from is alive (a value read once a second and shared by every request that second
//! is written once, not at every request).

use crate::domain::Lang;
use std::sync::{Arc, Mutex, Weak};

/// Strings written lately, by the value's allocation (held by the `Weak`, so that no other
/// value can take its address while it is here) and language.
pub struct Written<T> {
    kept: Mutex<Vec<(Weak<T>, Lang, Arc<str>)>>,
    most: usize,
}

impl<T> Written<T> {
    /// Keeps the strings of at most `most` values and languages.
    pub const fn new(most: usize) -> Self {
        Written {
            kept: Mutex::new(Vec::new()),
            most,
        }
    }

    /// The string written from `of` in `lang`, by `write` when it is not kept.
    pub fn get(&self, of: &Arc<T>, lang: Lang, write: impl FnOnce() -> String) -> Arc<str> {
        let same = |(w, l, _): &(Weak<T>, Lang, Arc<str>)| {
            std::ptr::eq(w.as_ptr(), Arc::as_ptr(of)) && *l == lang
        };
        if let Ok(kept) = self.kept.lock() {
            if let Some((_, _, s)) = kept.iter().find(|k| same(k)) {
                return s.clone();
            }
        }
        let written: Arc<str> = write().into();
        if let Ok(mut kept) = self.kept.lock() {
            kept.retain(|(w, _, _)| w.strong_count() > 0);
            if !kept.iter().any(|k| same(k)) {
                if kept.len() >= self.most {
                    kept.remove(0);
                }
                kept.push((Arc::downgrade(of), lang, written.clone()));
            }
        }
        written
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_written_once_per_language_and_forgotten_when_gone() {
        let memo: Written<Vec<u32>> = Written::new(2);
        let writes = std::cell::Cell::new(0);
        let write = |v: &Arc<Vec<u32>>, lang: Lang| {
            memo.get(v, lang, || {
                writes.set(writes.get() + 1);
                format!("{v:?} {lang:?}")
            })
        };
        let a = Arc::new(vec![1, 2]);
        assert_eq!(&*write(&a, Lang::En), "[1, 2] En");
        assert_eq!(&*write(&a.clone(), Lang::En), "[1, 2] En");
        assert_eq!(writes.get(), 1, "the same value is written once");
        assert_eq!(&*write(&a, Lang::ZhCn), "[1, 2] ZhCn");
        assert_eq!(writes.get(), 2, "once per language");
        // An equal value elsewhere is another value: written again.
        let b = Arc::new(vec![1, 2]);
        write(&b, Lang::En);
        assert_eq!(writes.get(), 3);
        // At most two kept: the oldest went.
        write(&a, Lang::En);
        assert_eq!(writes.get(), 4);
        drop(a);
        let c = Arc::new(vec![3]);
        assert_eq!(&*write(&c, Lang::En), "[3] En");
    }
}
