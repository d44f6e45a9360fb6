//! The checker's tests, run as a user runs the checker (assert_cmd), in one
//! test binary: its tests run side by side on the test harness's threads,
//! so the time they spend waiting out a broken program's deadlines overlaps
//! (one binary per file would run the files one after another).
//!
//! Each module is one file of tests: a lesson (`lesson01` …), grading
//! (`grade`, `grade_attacks`), containment, the command line, the learner's
//! loop. `common` runs the checker and the fixture programs; `grading`
//! builds classes of submissions.

mod common;
mod grading;

mod cli;
mod containment;
mod feedback;
mod formats;
mod grade;
mod grade_attacks;
mod learner;
mod lesson01;
mod lesson02;
mod lesson03;
mod lesson04;
mod lesson05;
mod lesson06;
mod lesson07;
mod lesson08;
mod lesson09;
mod lesson10;
mod lesson11;
mod robustness;
mod skeletons;
mod watch_terminal;
