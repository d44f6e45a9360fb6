//! The lessons, in course order, and the registry that lists them.
//!
//! Each lesson file holds one [`Lesson`]: its name, where its crates live,
//! and its checks. A [`Check`] names a behaviour in plain words, carries its
//! points and a hint at the concept, and is run by a plain function over a
//! [`Ctx`](crate::harness::Ctx).

use crate::harness::{Ctx, Outcome};

mod lesson01;
mod lesson02;
mod lesson03;
mod lesson04;
mod lesson05;
mod lesson06;
mod lesson07;
mod lesson08;
mod lesson09;
pub(crate) mod lesson10;
mod lesson11;

/// One check: a behaviour the learner's program must show.
pub struct Check {
    /// The behaviour, in plain words: "the server answers `hello` with `HELLO`".
    pub name: &'static str,
    pub points: u32,
    /// The concept to look at when this check fails. Never the answer.
    pub hint: &'static str,
    pub run: fn(&mut Ctx) -> Outcome,
}

/// One lesson: a skeleton crate, a solution crate, and checks.
pub struct Lesson {
    pub number: u8,
    /// Short name, also accepted on the command line: "basic-tcp".
    pub slug: &'static str,
    pub title: &'static str,
    /// The roles and their arguments, as the program is run.
    pub usage: &'static [&'static str],
    pub checks: &'static [Check],
}

impl Lesson {
    /// "lesson01"
    pub fn id(&self) -> String {
        format!("lesson{:02}", self.number)
    }

    /// "lesson01-basic-tcp": the folder under exercises/ and solutions/.
    pub fn folder(&self) -> String {
        format!("{}-{}", self.id(), self.slug)
    }

    /// The lesson's crate, relative to the course's root: the learner's
    /// (`exercises/lesson01-basic-tcp`) or the solution's (`solutions/…`).
    /// Written with `/` on every system: it is also what reports show.
    pub fn crate_dir(&self, solution: bool) -> String {
        let side = if solution { "solutions" } else { "exercises" };
        format!("{side}/{}", self.folder())
    }

    /// `exercises/lesson01-basic-tcp`: the learner's crate.
    pub fn exercise_dir(&self) -> String {
        self.crate_dir(false)
    }

    /// `solutions/lesson01-basic-tcp`: the solution's crate.
    pub fn solution_dir(&self) -> String {
        self.crate_dir(true)
    }

    /// The learner's package ("lesson01") or the solution's ("lesson01-solution").
    pub fn package(&self, solution: bool) -> String {
        if solution {
            format!("{}-solution", self.id())
        } else {
            self.id()
        }
    }

    pub fn max_score(&self) -> u32 {
        self.checks.iter().map(|c| c.points).sum()
    }
}

/// Every lesson, in course order.
pub static LESSONS: &[&Lesson] = &[
    &lesson01::LESSON,
    &lesson02::LESSON,
    &lesson03::LESSON,
    &lesson04::LESSON,
    &lesson05::LESSON,
    &lesson06::LESSON,
    &lesson07::LESSON,
    &lesson08::LESSON,
    &lesson09::LESSON,
    &lesson10::LESSON,
    &lesson11::LESSON,
];

/// Finds a lesson by `lesson3`, `lesson03`, `3`, `03`, its slug or its folder name.
pub fn find(name: &str) -> Option<&'static Lesson> {
    let name = name.trim().to_ascii_lowercase();
    let digits = name.strip_prefix("lesson").unwrap_or(&name);
    if let Ok(number) = digits.parse::<u8>() {
        return LESSONS.iter().copied().find(|l| l.number == number);
    }
    LESSONS.iter().copied().find(|l| l.slug == name || l.folder() == name)
}

/// The error for a lesson name that `find` does not know, listing the lessons.
pub fn unknown(name: &str) -> String {
    let known: Vec<String> = LESSONS.iter().map(|l| format!("  lesson{}  {}", l.number, l.title)).collect();
    format!("there is no lesson `{name}`. The lessons are:\n{}", known.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_lessons_by_every_name() {
        for name in ["lesson1", "lesson01", "1", "01", "basic-tcp", "Lesson1", "lesson01-basic-tcp"] {
            assert_eq!(find(name).map(|l| l.number), Some(1), "{name}");
        }
        assert!(find("lesson99").is_none());
        assert!(find("nonsense").is_none());
    }

    #[test]
    fn registry_is_in_order_and_checks_are_named_uniquely() {
        for pair in LESSONS.windows(2) {
            assert!(pair[0].number < pair[1].number, "lessons in course order");
        }
        for lesson in LESSONS {
            assert!(!lesson.checks.is_empty());
            let mut names: Vec<_> = lesson.checks.iter().map(|c| c.name).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), lesson.checks.len(), "duplicate check name in {}", lesson.id());
            assert!(lesson.checks.iter().all(|c| c.points > 0 && !c.hint.is_empty()));
        }
    }
}
