package server

import "testing"

func TestCSVCell(t *testing.T) {
	for in, want := range map[string]string{
		"":                         "",
		"3ae3d04ce3":               "3ae3d04ce3",
		"http://x/i/ab":            "http://x/i/ab",
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")",
		"+1":                       "'+1",
		"-1":                       "'-1",
		"@SUM(A1)":                 "'@SUM(A1)",
		"\tx":                      "'\tx",
		"\rx":                      "'\rx",
	} {
		if got := csvCell(in); got != want {
			t.Errorf("csvCell(%q) = %q, want %q", in, got, want)
		}
	}
}
