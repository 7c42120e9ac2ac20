package web

import (
	"bytes"
	"html/template"
	"strings"
	"testing"

	"iwtoolkit/internal/survey"
)

// hostile is a text that would run script if it came out unescaped
// anywhere, in text or in a quoted attribute; escapedHostile is how it
// must come out.
const (
	hostile        = `"><script>alert(1)</script><img src=x onerror=alert(2) '`
	escapedHostile = "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2) &#39;"
)

// checkEscaped fails unless html holds hostile escaped in exactly places
// places, and nowhere unescaped.
func checkEscaped(t *testing.T, what, html string, places int) {
	t.Helper()
	for _, raw := range []string{"<script>", "<img", "alert(2) '"} {
		if strings.Contains(html, raw) {
			t.Errorf("%s: %q comes out unescaped:\n%s", what, raw, html)
		}
	}
	if n := strings.Count(html, escapedHostile); n != places {
		t.Errorf("%s: the hostile text is there, escaped, in %d places, want %d:\n%s", what, n, places, html)
	}
}

// Choices writes its markup by hand, so every text in it, from survey
// files or from the request, must come out escaped.
func TestChoicesEscapeEveryText(t *testing.T) {
	q := Field{
		ID: "q" + hostile, Kind: KindCheckboxes, Legend: hostile, Hint: hostile, Error: hostile, Optional: true, Lang: "en",
		Options: []Option{
			{ID: "o" + hostile, Value: hostile, Label: hostile, Hint: hostile, Checked: true},
			{ID: "none", Value: "none", Label: "None of these", OrBefore: true, Exclusive: true},
		},
	}
	static := func(path string) (string, error) { return path + "?v=1", nil }
	for _, radios := range []bool{false, true} {
		if radios {
			q.Kind = KindRadios
		}
		var w bytes.Buffer
		if err := Choices(&w, q, static); err != nil {
			t.Fatal(err)
		}
		html := w.String()
		checkEscaped(t, q.Kind, html, 16)
		kind := map[bool]string{false: `type="checkbox"`, true: `type="radio"`}[radios]
		if strings.Count(html, kind) != 2 || !strings.Contains(html, " checked") {
			t.Errorf("%s: want two inputs %s, one checked:\n%s", q.Kind, kind, html)
		}
		if exclusive := strings.Contains(html, `data-behaviour="exclusive"`); exclusive == radios {
			t.Errorf("%s: exclusive behaviour %v, want it on checkboxes only", q.Kind, exclusive)
		}
	}
}

func TestEscapeAsHTMLTemplateDoes(t *testing.T) {
	var all strings.Builder
	for b := 0; b < 256; b++ {
		all.WriteByte(byte(b))
	}
	for _, s := range []string{"", "plain", `"><script>alert(1)</script>' & &amp;`, "Cymraeg: ŵ ŷ, 😀", all.String()} {
		var w bytes.Buffer
		Escape(&w, s)
		if want := template.HTMLEscapeString(s); w.String() != want {
			t.Errorf("Escape(%q) = %q, want %q", s, w.String(), want)
		}
	}
}

func TestInputsEscapeEveryText(t *testing.T) {
	for _, kind := range []string{KindNumber, KindText, KindTextarea} {
		q := Field{ID: "q" + hostile, Kind: kind, Legend: hostile, Hint: hostile, Error: hostile, Value: hostile, Max: 500, Optional: true, Lang: "en"}
		var w bytes.Buffer
		Input(&w, q)
		html := w.String()
		checkEscaped(t, kind, html, map[string]int{KindNumber: 11, KindText: 11, KindTextarea: 13}[kind])
	}
}

func TestLayoutEscapesEveryText(t *testing.T) {
	r, err := ErrorPages()
	if err != nil {
		t.Fatal(err)
	}
	data := ErrorPage{Page: Page{
		Title: hostile, Back: "/b" + hostile, StopURL: "/s" + hostile, CSRF: hostile,
		Errors:    []survey.FieldError{{Field: "f" + hostile, Message: hostile}, {Message: hostile}},
		Languages: []LanguageLink{{Code: "en" + hostile, Label: hostile, URL: "/l" + hostile}, {Code: "cy", Label: hostile, Current: true}},
	}, Status: 400, Message: "Bad request"}
	var w bytes.Buffer
	if err := r.Write(&w, "error", data); err != nil {
		t.Fatal(err)
	}
	checkEscaped(t, "layout", w.String(), 11)
}
