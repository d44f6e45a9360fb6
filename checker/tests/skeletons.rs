//! The skeletons as the course ships them: every lesson's untouched
//! skeleton scores 0. Code given to the learner never passes a check by
//! itself, so the first point of a lesson is always the learner's own.

use crate::common::*;

#[test]
fn every_untouched_skeleton_scores_nothing() {
    let mut folders: Vec<String> = std::fs::read_dir(pristine_exercises())
        .expect("the pristine course has exercises/")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("lesson"))
        .collect();
    folders.sort();
    assert!(folders.len() >= 8, "every lesson has a skeleton: {folders:?}");
    let root = pristine_course().to_str().expect("a UTF-8 path").to_string();
    let mut scoring = Vec::new();
    for folder in &folders {
        if !has_pristine_skeleton(folder) {
            continue;
        }
        let number: u8 = folder["lesson".len()..]
            .split('-')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{folder}: a lessonNN- folder"));
        let lesson = format!("lesson{number}");
        let run = run_json(&[&lesson, "--root", &root], &[]);
        let score = &run.json["lessons"][0]["score"];
        assert_eq!(run.json["lessons"][0]["status"], "checked", "{folder}'s skeleton builds and runs:\n{}", run.stdout);
        if !(run.passed().is_empty() && score == 0) {
            scoring.push(format!("{folder} scores {score}: the given code passes {:?} by itself", run.passed()));
        }
    }
    assert!(scoring.is_empty(), "untouched skeletons that score:\n{}", scoring.join("\n"));
}
