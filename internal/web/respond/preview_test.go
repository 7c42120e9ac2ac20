package respond

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web"
)

// A version whose text has problems (a draft kept in the store, say) is
// not previewed: its page says so, and lists the problems, under the
// preview's banner.
func TestPreviewOfAVersionWithProblems(t *testing.T) {
	defs := func(context.Context, string, string) (*survey.Definition, error) {
		return nil, survey.Problems{{File: "survey sheet", Line: 14, Message: "relevant: no question called roel"}}
	}
	p, err := NewPreview(PreviewOptions{Definitions: defs, Log: slog.New(slog.DiscardHandler), Now: time.Now, Timeout: time.Minute, Allow: auth.Staff})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New()
	letIn := func(auth.Permission) fiber.Handler { return func(c *fiber.Ctx) error { return c.Next() } }
	p.Register(web.NewRoutes(app, letIn))
	for _, path := range []string{"/staff/surveys/s/preview/0123456789ab", "/staff/surveys/s/preview/0123456789ab/baseline"} {
		resp, err := app.Test(httptest.NewRequest(http.MethodGet, path, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), "survey sheet:14: relevant: no question called roel") || !strings.Contains(string(body), previewBanner) {
			t.Errorf("%s: %d\n%s", path, resp.StatusCode, body)
		}
	}
}
