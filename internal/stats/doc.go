// Package stats says whether a change between two survey rounds is more than
// chance, for answers scored on an ordered scale: maturity levels 1..k and
// Likert items. The Trust Board compares a baseline round with a follow-up
// round, and this package gives it figures it can trust and a sentence it can
// read.
//
// Such answers are ordinal: a level 4 is above a level 2, but not by "two
// units" of anything. A mean is still the figure the Board knows, so the
// package offers both kinds of comparison and lets the report show them side
// by side:
//
//   - [Welch]: the difference of two means with a 95% confidence interval
//     (Welch's t interval), for two independent rounds.
//   - [MannWhitney]: the Mann–Whitney test, which uses only the order of the
//     answers (ranks), for two independent rounds. With few levels nearly
//     every answer is tied, so ties are ranked by midranks and the variance
//     is corrected for them.
//   - [PairedT] and [SignedRank]: the paired t interval and the Wilcoxon
//     signed-rank test, for the same respondents answering in both rounds.
//
// Every figure is computed from a [Histogram], the count of answers at each
// level, which is what the reports already keep. The work takes time in
// proportion to the number of distinct levels (plus sorting them), never to
// the number of answers: 250,000 answers cost the same as 25. Raw answers
// enter through [Tally] and [Differences].
//
// P values are two-sided and use the normal approximation with a continuity
// correction for the rank tests and the t distribution for the t intervals.
// They are rough for very small rounds (fewer than about ten answers each);
// the reports suppress such groups anyway.
//
// Nothing here panics or returns NaN or infinity. When a figure cannot be
// computed (too few answers, or no variation to test against) the result says
// so in Computable and Reason, its numbers are zero, and its P is 1, so that
// a caller who forgets to look still never reads "more than chance".
package stats
