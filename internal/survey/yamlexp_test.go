package survey

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// The YAML mistakes a survey writer makes, each reported at the line of
// the mistake in words that say what to do.
func TestYAMLMistakesInPlainWords(t *testing.T) {
	base, err := os.ReadFile("testdata/valid/mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(base), "\n")
	for _, tc := range []struct {
		name string
		line int // 1-based line to change
		to   func(string) string
		want int
		says string
	}{
		{"indented too far", 36, func(l string) string { return "   " + l }, 36, "indented further"},
		{"indented too little", 37, func(l string) string { return l[2:] }, 37, "indentation does not match"},
		{"quote never closed", 4, func(string) string { return `audience: "staff` }, 4, "never closed"},
		{"quote never closed in a question", 47, func(string) string { return `        text: "How many people do you manage?` }, 47, "never closed"},
		{"no space after a colon", 46, func(string) string { return "        type:number" }, 46, `write "type: number"`},
		{"yes for true", 45, func(l string) string { return "        optional: yes\n" + l }, 45, `optional must be true or false, not "yes"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ls := append([]string(nil), lines...)
			ls[tc.line-1] = tc.to(ls[tc.line-1])
			_, ps := Parse("mini.yaml", []byte(strings.Join(ls, "\n")))
			if len(ps) == 0 {
				t.Fatal("no problem reported")
			}
			if ps[0].Line != tc.want || !strings.Contains(ps[0].Message, tc.says) {
				t.Errorf("reported %v, want line %d saying %q", ps[0], tc.want, tc.says)
			}
			for _, library := range []string{"pre-defined", "non-map", "cannot unmarshal", "Go struct"} {
				if strings.Contains(ps[0].Message, library) {
					t.Errorf("the message has the library's words %q: %v", library, ps[0])
				}
			}
		})
	}
}

// A # after a space starts a comment, cutting an unquoted text short: a
// warning, at its line.
func TestHashCutsTextWarning(t *testing.T) {
	base, err := os.ReadFile("testdata/valid/mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(string(base), "audience: staff", "audience: staff", 1)
	src = strings.Replace(src, "  en: Only group results are reported.", "  en: Only group results are reported #1 rule", 1)
	d, ps := Parse("mini.yaml", []byte(src))
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if len(d.Warnings) != 1 || d.Warnings[0].Line != 12 || !strings.Contains(d.Warnings[0].Message, "quotation marks") {
		t.Errorf("warnings %v, want one at line 12", d.Warnings)
	}
	quoted := strings.Replace(src, "  en: Only group results are reported #1 rule", `  en: "Only group results are reported #1 rule"`, 1)
	if d, _ := Parse("mini.yaml", []byte(quoted)); d == nil || len(d.Warnings) != 0 {
		t.Errorf("a quoted text with a # is warned about: %v", d.Warnings)
	}
}

// The slips survey writers make most in YAML, one a file in
// testdata/slips: each is named at its own line, in plain words that say
// what to do, never in the YAML library's.
func TestYAMLSlips(t *testing.T) {
	for _, tc := range []struct {
		file string
		line int
		says string
	}{
		{"tab.yaml", 20, "indented with a tab"},
		{"colon.yaml", 1, `title: the text has a colon (:) in it, which YAML reads as the start of another field: put the whole text in quotation marks, title: "Feeling safe: young people"`},
		{"colon-indented.yaml", 17, `put the whole text in quotation marks, title: "Safety: at work"`},
		{"unclosed-quote.yaml", 25, `opens a quotation mark (") that is never closed`},
		{"unclosed-quote-in-braces.yaml", 14, `label: this text opens a quotation mark (") that is never closed: end the text with a closing quotation mark, label: "Agree"`},
		{"apostrophe.yaml", 22, `the apostrophe in "don't" ends the text`},
		{"apostrophe-in-braces.yaml", 13, `put the text in double quotation marks instead, label: "Don't agree"`},
		{"mistyped-field.yaml", 17, "titel: did you mean title?"},
		{"unclosed-brace.yaml", 14, "is not closed properly"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile("testdata/slips/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			_, ps := Parse(tc.file, data)
			i := slices.IndexFunc(ps, func(p Problem) bool { return p.Line == tc.line })
			if i < 0 || !strings.Contains(ps[i].Message, tc.says) {
				t.Fatalf("problems %v, want one at line %d saying %q", ps, tc.line, tc.says)
			}
			for _, p := range ps {
				for _, library := range []string{"token", "context", "pre-defined", "must be specified", "non-map", "cannot unmarshal", "Go struct"} {
					if strings.Contains(p.Message, library) {
						t.Errorf("the message has the library's words %q: %v", library, p)
					}
				}
			}
		})
	}
}

// A slip is looked for only where the YAML library cannot read a file, and
// text that is right is never taken for one: a colon inside a block of
// text (|), a quoted text that goes on over two lines, and a text in single
// quotation marks with a doubled apostrophe.
func TestNoSlipInRightText(t *testing.T) {
	data, err := os.ReadFile("testdata/slips/colon.yaml") // line 1 is a slip
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(string(data), "how_answers_are_used: Only group results are reported.",
		"how_answers_are_used: \"Only group results\n  are reported: never yours.\"\nprivacy_notice: 'We don''t keep names.'", 1)
	_, ps := Parse("colon.yaml", []byte(src))
	if len(ps) != 1 || ps[0].Line != 1 {
		t.Errorf("problems %v, want only the colon at line 1", ps)
	}
}

// One run lists every misspelt field and every value of the wrong kind;
// and a mistake the check cannot read past is listed with every slip (docs/surveys.md, "Checking your files").
func TestEveryProblemInOnePass(t *testing.T) {
	base, err := os.ReadFile("testdata/slips/colon.yaml") // line 1: a colon
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(base), "\n")
	for _, tc := range []struct {
		name    string
		changes map[int]string // line → new text
		want    []string       // the problems, as line: start of message
	}{
		{"misspelt fields and wrong values", map[int]string{
			9: "    open: maybe", 17: "    titel: Safety", 21: "        scal: agree", 26: "        optional: perhaps"},
			[]string{"1: title: the text has a colon", "9: open must be true or false", "17: titel: did you mean title?", "21: scal: did you mean scale?", "26: optional must be true or false"}},
		{"cannot read past", map[int]string{20: "          type: scale", 25: "        text: \"Anything to add?"},
			[]string{"1: title: the text has a colon", "20: this line is indented further", "25: this text opens a quotation mark"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ls := append([]string(nil), lines...)
			for n, l := range tc.changes {
				ls[n-1] = l
			}
			_, ps := Parse("x.yaml", []byte(strings.Join(ls, "\n")))
			var got []string
			for _, p := range ps {
				got = append(got, p.String())
			}
			if len(ps) != len(tc.want) {
				t.Fatalf("problems:\n%s\nwant %d", strings.Join(got, "\n"), len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(got[i], "x.yaml:"+w) {
					t.Errorf("problem %d: %s, want x.yaml:%s…", i, got[i], w)
				}
			}
		})
	}
}
