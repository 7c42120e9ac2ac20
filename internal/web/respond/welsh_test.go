package respond_test

import (
	"net/http"
	"strings"
	"testing"

	"iwtoolkit/internal/webtest"
)

// TestWelshConsultation: the children's consultation is offered in Welsh
// (awaiting a native speaker's check, as its file says), and a survey not
// written in a language asked for says so, in that language, instead of
// silently showing English.
func TestWelshConsultation(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serve(t, e)
	p := e.Browser().Get("/s/children/baseline?lang=cy").Must(http.StatusOK)
	if !strings.Contains(p.Body, `<html lang="cy"`) || !strings.Contains(p.Text(), "Beth wyt ti'n ei feddwl?") {
		t.Errorf("the children's consultation in Welsh:\n%s", p.Text())
	}
	if strings.Contains(p.Body, `id="language-not-offered"`) {
		t.Error("a survey written in Welsh says it is not")
	}

	p = e.Browser().Get("/s/integrated-working/baseline?lang=cy").Must(http.StatusOK)
	notice := webtest.Element(t, p.Body, "div", "language-not-offered")
	if !strings.Contains(notice, `lang="cy"`) || webtest.Text(notice) != "Nid yw'r arolwg hwn ar gael yn Gymraeg, felly fe'i dangosir yn English." {
		t.Errorf("a survey not in Welsh, asked for in Welsh, says %q", notice)
	}
	if !strings.Contains(p.Body, `<html lang="en"`) {
		t.Error("the page is not in English")
	}
	// A code the service does not speak is not a language asked for.
	if strings.Contains(e.Browser().Get("/s/integrated-working/baseline?lang=xx").Must(http.StatusOK).Body, `id="language-not-offered"`) {
		t.Error("an unknown language code gives a notice")
	}
}
