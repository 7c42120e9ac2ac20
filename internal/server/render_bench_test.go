package server

import (
	"bytes"
	"math/rand/v2"
	"os"
	"testing"

	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/synthetic"
)

// benchPages renders the page name once for each model per iteration,
// and reports the time a page takes.
func benchPages(b *testing.B, name string, models ...any) {
	p, err := parsePages()
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		for _, m := range models {
			buf.Reset()
			if err := p.write(&buf, name, m); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(models)), "µs/page")
}

// BenchmarkTaskList renders the task list, shown after every part of a
// long survey.
func BenchmarkTaskList(b *testing.B) {
	benchPages(b, "tasks", taskListPage{page: page{Title: "Integrated working self-assessment", Back: "/s/x/y", CSRF: "token"}, Tasks: []task{
		{ID: "a", Title: "About you", URL: "/s/x/y/section/a", Status: "Completed", Complete: true},
		{ID: "b", Title: "The CAF", URL: "/s/x/y/section/b", Status: "In progress", Started: true},
		{ID: "c", Title: "Information sharing", URL: "/s/x/y/section/c", Status: "Not yet started"},
	}})
}

// BenchmarkLayout renders an error page: the layout with a heading and a
// line, the least a page costs.
func BenchmarkLayout(b *testing.B) {
	benchPages(b, "error.html", errorPage{page: page{Title: "Page not found", CSRF: "token"}, Status: 404, Message: "Page not found"})
}

// BenchmarkSectionPages renders every part of the integrated working
// self-assessment, half answered: the pages respondents load most.
func BenchmarkSectionPages(b *testing.B) {
	c, err := survey.LoadDir(os.DirFS("../../surveys"), "surveys")
	if err != nil {
		b.Fatal(err)
	}
	d, _ := c.Survey("integrated-working")
	f := &flow{survey: d, round: d.Rounds[0], lang: "en", path: "/s/x/y", draft: survey.Draft{Answers: map[string]string{}}}
	for i, sec := range d.Sections {
		if i%2 == 0 {
			form := synthetic.Form(d, sec, f.draft.Answers, rand.New(rand.NewPCG(1, 2)))
			f.draft.Answers = d.Asked(sec.Collect(f.draft.Answers, func(k string) []string { return form[k] }))
		}
	}
	var pages []any
	for _, sec := range d.Sections {
		pg := sectionPage(f, sec, nil)
		pg.CSRF = "token"
		pages = append(pages, pg)
	}
	benchPages(b, "form", pages...)
}
