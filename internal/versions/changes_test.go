package versions

import "testing"

func TestWordOverlap(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want float64
	}{
		{"I know when to start a CAF.", "I know when to start a CAF.", 1},
		{"Our teams plan together.", "Lunch breaks are long enough.", 0},
		{"I know when to start a CAF.", "I know when to start a CAF assessment.", 7.0 / 8},
		{"", "", 1},
	} {
		if got := wordOverlap(tc.a, tc.b); got != tc.want {
			t.Errorf("wordOverlap(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
