package stats

import (
	"fmt"
	"testing"
)

// The benchmarks run each statistic on rounds of 100 to 100 million answers
// spread over five levels. The time per operation should not grow with the
// number of answers: compare the sub-benchmarks' ns/op.

var benchSizes = []int{100, 10_000, 250_000, 100_000_000}

// benchRound spreads n answers over levels 1..5 in the proportions of a
// typical maturity question, shifted by one level for the follow-up.
func benchRound(n, shift int) Histogram {
	h := Histogram{}
	for i, share := range []int{10, 25, 35, 20, 10} {
		h[i+1+shift] = n * share / 100
	}
	return h
}

// benchDifferences spreads n paired changes over -4..4.
func benchDifferences(n int) Histogram {
	h := Histogram{}
	for i, share := range []int{1, 3, 8, 18, 40, 18, 7, 3, 2} {
		h[i-4] = n * share / 100
	}
	return h
}

func BenchmarkSummarise(b *testing.B) {
	for _, n := range benchSizes {
		h := benchRound(n, 0)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for b.Loop() {
				Summarise(h)
			}
		})
	}
}

func BenchmarkWelch(b *testing.B) {
	for _, n := range benchSizes {
		base, follow := benchRound(n, 0), benchRound(n, 1)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for b.Loop() {
				Welch(base, follow)
			}
		})
	}
}

func BenchmarkMannWhitney(b *testing.B) {
	for _, n := range benchSizes {
		base, follow := benchRound(n, 0), benchRound(n, 1)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for b.Loop() {
				MannWhitney(base, follow)
			}
		})
	}
}

func BenchmarkPairedT(b *testing.B) {
	for _, n := range benchSizes {
		d := benchDifferences(n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for b.Loop() {
				PairedT(d)
			}
		})
	}
}

func BenchmarkSignedRank(b *testing.B) {
	for _, n := range benchSizes {
		d := benchDifferences(n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for b.Loop() {
				SignedRank(d)
			}
		})
	}
}
