package respond

import (
	"bytes"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/synthetic"
	"iwtoolkit/internal/web"
)

// hostile is a text that would run script if it came out unescaped
// anywhere, in text or in a quoted attribute; escapedHostile is how it
// must come out. The components' own tests (package web) cover fields and
// the layout; these cover the markup written here.
const (
	hostile        = `"><script>alert(1)</script><img src=x onerror=alert(2) '`
	escapedHostile = "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2) &#39;"
)

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

func TestSummaryRowsEscapeEveryText(t *testing.T) {
	rows := []checkRow{
		{Key: hostile, Value: hostile + "\n" + hostile, ChangeURL: "/s/x/y/section/a?return=check#q" + hostile},
		{Key: "Optional", Optional: true, ChangeURL: "/c"},
		{Key: "Required", ChangeURL: "/c"},
	}
	var w bytes.Buffer
	checkRows(&w, rows, "en", "None given")
	html := w.String()
	checkEscaped(t, "check answers", html, 5)
	for _, want := range []string{"&#39;<br>&#34;", ">None given<", `<span class="app-not-answered">Not answered</span>`, `<span class="govuk-visually-hidden"> Required</span>`} {
		if !strings.Contains(html, want) {
			t.Errorf("no %s in:\n%s", want, html)
		}
	}
}

func TestTaskListEscapesEveryText(t *testing.T) {
	var w bytes.Buffer
	writeTasks(&w, taskListPage{Page: web.Page{Title: hostile}, CheckURL: "/check" + hostile, Tasks: []task{
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

// benchPages renders the page name once for each model per iteration,
// and reports the time a page takes.
func benchPages(b *testing.B, name string, models ...web.Paged) {
	static, err := web.Static()
	if err != nil {
		b.Fatal(err)
	}
	r, err := web.NewRenderer(nil, writers(static))
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		for _, m := range models {
			buf.Reset()
			if err := r.Write(&buf, name, m); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(models)), "µs/page")
}

// BenchmarkTaskList renders the task list, shown after every part of a
// long survey.
func BenchmarkTaskList(b *testing.B) {
	benchPages(b, "tasks", taskListPage{Page: web.Page{Title: "Integrated working self-assessment", Back: "/s/x/y", CSRF: "token"}, Tasks: []task{
		{ID: "a", Title: "About you", URL: "/s/x/y/section/a", Status: "Completed", Complete: true},
		{ID: "b", Title: "The CAF", URL: "/s/x/y/section/b", Status: "In progress", Started: true},
		{ID: "c", Title: "Information sharing", URL: "/s/x/y/section/c", Status: "Not yet started"},
	}})
}

// BenchmarkLayout renders an error page: the layout with a heading and a
// line, the least a page costs.
func BenchmarkLayout(b *testing.B) {
	benchPages(b, "error", errorPage{web.ErrorPage{Page: web.Page{Title: "Page not found", CSRF: "token"}, Status: 404, Message: "Page not found"}})
}

// BenchmarkSectionPages renders every part of the integrated working
// self-assessment, half answered: the pages respondents load most.
func BenchmarkSectionPages(b *testing.B) {
	c, err := survey.LoadDir(os.DirFS("../../../surveys"), "surveys")
	if err != nil {
		b.Fatal(err)
	}
	d, _ := c.Survey("integrated-working")
	f := &flow{survey: d, round: d.Rounds[0], lang: "en", path: "/s/x/y", root: "/s/x/y", draft: survey.Draft{Answers: map[string]string{}}, csrf: "token"}
	for i, sec := range d.Sections {
		if i%2 == 0 {
			form := synthetic.Form(d, sec, f.draft.Answers, rand.New(rand.NewPCG(1, 2)))
			f.draft.Answers = d.Asked(sec.Collect(f.draft.Answers, func(k string) []string { return form[k] }))
		}
	}
	var pages []web.Paged
	for _, sec := range d.Sections {
		pages = append(pages, sectionPage(f, sec, nil))
	}
	benchPages(b, "form", pages...)
}
