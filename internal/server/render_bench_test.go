package server

import (
	"io"
	"testing"
)

// BenchmarkLayout renders the simplest page: the layout and a heading, the
// cost every page pays.
func BenchmarkLayout(b *testing.B) {
	p, err := parsePages()
	if err != nil {
		b.Fatal(err)
	}
	t := p.byName["tasks.html"]
	data := taskListPage{page: page{Title: "Integrated working self-assessment", Back: "/s/x/y", CSRF: "token"}, Tasks: []task{
		{ID: "a", Title: "About you", URL: "/s/x/y/section/a", Status: "Completed", Complete: true},
		{ID: "b", Title: "The CAF", URL: "/s/x/y/section/b", Status: "In progress", Started: true},
		{ID: "c", Title: "Information sharing", URL: "/s/x/y/section/c", Status: "Not yet started"},
	}}
	b.ReportAllocs()
	for b.Loop() {
		if err := t.ExecuteTemplate(io.Discard, "layout", data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLayoutAlone renders an error page: the layout with a heading
// and a line.
func BenchmarkLayoutAlone(b *testing.B) {
	p, err := parsePages()
	if err != nil {
		b.Fatal(err)
	}
	t := p.byName["error.html"]
	data := errorPage{page: page{Title: "Page not found", CSRF: "token"}, Status: 404, Message: "Page not found"}
	b.ReportAllocs()
	for b.Loop() {
		if err := t.ExecuteTemplate(io.Discard, "layout", data); err != nil {
			b.Fatal(err)
		}
	}
}
