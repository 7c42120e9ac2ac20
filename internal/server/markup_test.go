package server

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

// choices writes its markup by hand, so every text in it, from survey files
// or from the request, must come out escaped.
func TestChoicesEscapeEveryText(t *testing.T) {
	q := question{
		ID: "q" + hostile, Type: "multiple-choice", Legend: hostile, Hint: hostile, Error: hostile, Optional: true, Lang: "en",
		Options: []option{
			{ID: "o" + hostile, Value: hostile, Label: hostile, Hint: hostile, Checked: true},
			{ID: "none", Value: "none", Label: "None of these", OrBefore: true, Exclusive: true},
		},
	}
	static := func(path string) (string, error) { return path + "?v=1", nil }
	for _, radios := range []bool{false, true} {
		if radios {
			q.Type = "choice"
		}
		var w bytes.Buffer
		if err := writeQuestion(&w, q, static); err != nil {
			t.Fatal(err)
		}
		html := w.String()
		checkEscaped(t, q.Type, html, 16)
		kind := map[bool]string{false: `type="checkbox"`, true: `type="radio"`}[radios]
		if strings.Count(html, kind) != 2 || !strings.Contains(html, " checked") {
			t.Errorf("%s: want two inputs %s, one checked:\n%s", q.Type, kind, html)
		}
		if exclusive := strings.Contains(html, `data-behaviour="exclusive"`); exclusive == radios {
			t.Errorf("%s: exclusive behaviour %v, want it on checkboxes only", q.Type, exclusive)
		}
	}
}

func TestSummaryRowsEscapeEveryText(t *testing.T) {
	rows := []checkRow{
		{Key: hostile, Value: hostile + "\n" + hostile, ChangeURL: "/s/x/y/section/a?return=check#q" + hostile},
		{Key: "Optional", Optional: true, ChangeURL: "/c"},
		{Key: "Required", ChangeURL: "/c"},
	}
	html := string(summaryRows(rows, "en"))
	checkEscaped(t, "check answers", html, 5)
	for _, want := range []string{"&#39;<br>&#34;", ">None given<", `<span class="app-not-answered">Not answered</span>`, `<span class="govuk-visually-hidden"> Required</span>`} {
		if !strings.Contains(html, want) {
			t.Errorf("no %s in:\n%s", want, html)
		}
	}
}

func TestTaskListEscapesEveryText(t *testing.T) {
	var w bytes.Buffer
	writeTasks(&w, taskListPage{page: page{Title: hostile}, CheckURL: "/check" + hostile, Tasks: []task{
		{ID: "a" + hostile, Title: hostile, URL: "/s/x/y/section/a" + hostile, Status: hostile, Complete: true},
		{ID: "b", Title: "B", URL: "/b", Status: "In progress", Started: true},
		{ID: "c", Title: "C", URL: "/c", Status: "Not yet started"},
	}})
	html := w.String()
	checkEscaped(t, "task list", html, 7)
	for _, want := range []string{`aria-describedby="b_status">B</a>`, `id="b_status"><strong class="govuk-tag govuk-tag--light-blue">In progress</strong>`, `<strong class="govuk-tag govuk-tag--blue">Not yet started</strong>`} {
		if !strings.Contains(html, want) {
			t.Errorf("no %s in:\n%s", want, html)
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
		escape(&w, s)
		if want := template.HTMLEscapeString(s); w.String() != want {
			t.Errorf("escape(%q) = %q, want %q", s, w.String(), want)
		}
	}
}

func TestInputsEscapeEveryText(t *testing.T) {
	for _, typ := range []string{"number", "text", "long-text"} {
		q := question{ID: "q" + hostile, Type: typ, Legend: hostile, Hint: hostile, Error: hostile, Value: hostile, Max: 500, Optional: true, Lang: "en"}
		var w bytes.Buffer
		if err := writeQuestion(&w, q, nil); err != nil {
			t.Fatal(err)
		}
		html := w.String()
		checkEscaped(t, typ, html, map[string]int{"number": 11, "text": 11, "long-text": 13}[typ])
	}
}

func TestLayoutEscapesEveryText(t *testing.T) {
	p, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	data := errorPage{page: page{
		Title: hostile, Back: "/b" + hostile, StopURL: "/s" + hostile, CSRF: hostile,
		Errors:    []survey.FieldError{{Field: "f" + hostile, Message: hostile}, {Message: hostile}},
		Languages: []languageLink{{Code: "en" + hostile, Label: hostile, URL: "/l" + hostile}, {Code: "cy", Label: hostile, Current: true}},
	}, Status: 400, Message: "Bad request"}
	var w bytes.Buffer
	if err := p.write(&w, "error.html", data); err != nil {
		t.Fatal(err)
	}
	html := w.String()
	checkEscaped(t, "layout", html, 11)
}
