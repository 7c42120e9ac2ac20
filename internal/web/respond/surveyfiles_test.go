package respond_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"iwtoolkit/internal/webtest"
)

var summaryPattern = regexp.MustCompile(`(?s)<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>`)

// summaryOf is what a page's error summary lists.
func summaryOf(body string) string {
	if m := summaryPattern.FindStringSubmatch(body); m != nil {
		return webtest.Text(m[1])
	}
	return ""
}

// writeFile writes a test's file.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A survey file's short error message is what a respondent is told; a
// grid left blank gives one message, not one for every statement.
func TestShortErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir+"/short.yaml", `title: Short
audience: staff
introduction: A test.
how_answers_are_used: Counted.
rounds: [{id: r1, label: Round 1, open: true}]
scales:
  agree:
    levels:
      - {value: 1, label: "No"}
      - {value: 2, label: "Yes"}
sections:
  - id: only
    title: Only
    questions:
      - id: school
        type: choice
        text: "Thinking about the last few weeks, how do you feel about your school overall?"
        error: "Choose how you feel about school"
        options: [{value: good, label: Good}, {value: bad, label: Bad}]
      - id: grid
        type: grid
        scale: agree
        text: "How much do you agree?"
        statements:
          - {id: s1, text: "One"}
          - {id: s2, text: "Two"}
          - {id: s3, text: "Three"}
`)
	e := webtest.SQLite(t)
	e.UseSurveys(dir)
	serve(t, e)
	b := e.Browser()
	p := b.PostWithToken("/s/short/r1/section/only", url.Values{}).Must(http.StatusUnprocessableEntity)
	summary := summaryOf(p.Body)
	if want := "Choose how you feel about school Choose an answer for each statement in ‘How much do you agree?’"; summary != want {
		t.Errorf("error summary %q, want %q", summary, want)
	}
	if n := strings.Count(p.Body, "govuk-form-group--error"); n != 2 {
		t.Errorf("%d fields in red, want 2 (the question and the grid's first statement)", n)
	}
	p = b.PostWithToken("/s/short/r1/section/only", url.Values{"school": {"good"}, "s1": {"2"}}).Must(http.StatusUnprocessableEntity)
	if summary := summaryOf(p.Body); !strings.Contains(summary, "Two") || !strings.Contains(summary, "Three") || strings.Contains(summary, "One") {
		t.Errorf("a grid answered in part: %q", summary)
	}
}

// IDs in survey files never clash with the names and ids pages make up:
// those all have an underscore, which survey IDs cannot.
func TestIDsCannotClash(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	e.UseSurveys("testdata/clash")
	serve(t, e)
	b := e.Browser()
	b.Get("/s/clash/baseline/section/about").Must(http.StatusOK)
	b.PostWithToken("/s/clash/baseline/section/about", url.Values{"main-content": {"a"}}).Must(http.StatusOK)
	b.Get("/s/clash/baseline/section/s").Must(http.StatusOK)
	form := url.Values{"comment": {"2"}, "a": {"1"}, "a-2": {"2"}, "a-hint": {"1"}, "a-error": {"A comment"}, "then": {"later"}}
	b.PostWithToken("/s/clash/baseline/section/s", form).Must(http.StatusOK)
	p := b.Get("/s/clash/baseline/check").Must(http.StatusOK)
	got := p.Text()
	for _, want := range []string{"A statement called comment. 2 – Yes", "A statement called a-2. 2 – Yes", "Anything else? A comment", "A question called then later"} {
		if !strings.Contains(got, want) {
			t.Errorf("check answers lacks %q:\n%s", want, got)
		}
	}
	ref := send(t, b, "/s/clash/baseline")
	r, err := e.Store.Response(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if r.Answers["comment"] != "2" || r.Answers["a-error"] != "A comment" || r.Answers["main-content"] != "a" || r.Answers["then"] != "later" {
		t.Errorf("stored %+v", r.Answers)
	}
}
