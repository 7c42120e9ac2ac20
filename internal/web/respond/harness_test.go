package respond_test

import (
	"testing"
	"time"

	"iwtoolkit/internal/web"
	"iwtoolkit/internal/web/respond"
	"iwtoolkit/internal/webtest"
)

// serve is the respondents' pages on e's store, on e's app, with the
// other pages a test also reads.
func serve(t *testing.T, e *webtest.Env, also ...func(*web.Routes)) {
	t.Helper()
	p, err := respond.New(respond.Options{Store: e.Store, Surveys: e.Surveys, Log: e.Log, Now: e.Clock, BaseURL: webtest.BaseURL,
		Timeout: time.Minute, Secrets: e.Secrets, Health: e.Health, Published: e.Publisher})
	if err != nil {
		t.Fatal(err)
	}
	e.Serve(append([]func(*web.Routes){p.Register}, also...)...)
}
