// Package webtest is what the web packages' tests share, so that each
// package tests its own pages beside its code: a real store (the embedded
// one in a fresh folder, or MongoDB at MONGODB_URI through testenv), the
// bundled surveys, the sessions, form tokens and publisher the service
// makes, a Fiber app with the service's middleware, and a browser that
// keeps cookies and sends its requests through app.Test. Nothing in it
// stands in for a part of the service: a package's test registers the
// package's own handlers on the app.
//
// Only _test.go files import it (testenv's linking test checks that the
// service binary does not link it).
package webtest

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/mail"
	"iwtoolkit/internal/publish"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/store/mongo"
	"iwtoolkit/internal/store/sqlite"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/testenv"
	"iwtoolkit/internal/versions"
	"iwtoolkit/internal/web"
	"iwtoolkit/internal/web/session"
	assets "iwtoolkit/web"
)

// BaseURL is the address the service is given in these tests.
const BaseURL = "https://iwt.example.org"

// Env is a service's parts on one store, for a package's handlers.
type Env struct {
	T         *testing.T
	Store     store.Store
	Surveys   *survey.Catalogue
	Now       time.Time // the time on the clock: Clock moves it on
	clock     sync.Mutex
	Log       *slog.Logger
	Sessions  *session.Sessions
	Secrets   *web.Secrets
	Publisher *publish.Publisher
	Health    *web.Health
	Links     *mail.Links
	Versions  *versions.Live
	App       *fiber.App // nil until Serve
}

// Clock is the Env's clock, for a package's Options: it starts at
// 9:00 on 7 December 2026 and moves on a millisecond each time it is read,
// so that what happens in turn happens at times in that order (a response
// after a round's figures were made, say), as on a real clock, and
// nothing depends on when the test runs.
func (e *Env) Clock() time.Time {
	e.clock.Lock()
	defer e.clock.Unlock()
	e.Now = e.Now.Add(time.Millisecond)
	return e.Now
}

// SQLite is an Env on the embedded store in a fresh folder.
func SQLite(t *testing.T) *Env {
	t.Helper()
	return SQLiteIn(t, t.TempDir())
}

// SQLiteIn is an Env on the embedded store in dir, for a test that also
// opens the database file itself.
func SQLiteIn(t *testing.T, dir string) *Env {
	t.Helper()
	st, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return newEnv(t, st)
}

// MongoDB is an Env on a database of the test's own at MONGODB_URI; the
// test skips without it (fails when IWT_MONGODB_TESTS=required).
func MongoDB(t *testing.T) *Env {
	t.Helper()
	srv, db := testenv.MongoDatabase(t)
	st, err := mongo.Open(context.Background(), srv.URI, db)
	if err != nil {
		t.Fatal(err)
	}
	withoutTTL(t, srv.URI, db)
	return newEnv(t, st)
}

// withoutTTL drops the TTL indexes the store made in the test's database.
// The Env's clock is 7 December 2026 (Clock), so what the service stores
// expires by that clock: a staff session at 17:00 that day, a rate-limit
// counter within the hour, a draft 30 days on. The server's TTL monitor
// deletes by the real clock, once a minute: once those times are past,
// it would delete a session or counter (and later a draft) at some moment
// of the test, which then failed or not by when the monitor ran (a test
// of 7 s, 1 run in 10). The store itself reads expiry by the Env's clock;
// that the server deletes what has expired is TestTTLExpiry's, on the
// real clock.
func withoutTTL(t *testing.T, uri, database string) {
	t.Helper()
	ctx := context.Background()
	client, err := mongodriver.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)
	for _, c := range []string{"drafts", "sessions", "counters"} {
		if err := client.Database(database).Collection(c).Indexes().DropOne(ctx, "expires_ttl"); err != nil {
			t.Fatalf("webtest: dropping %s's TTL index: %v", c, err)
		}
	}
}

// OnBothStores runs fn on the embedded store and on MongoDB, at the same
// time.
func OnBothStores(t *testing.T, fn func(t *testing.T, e *Env)) {
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); fn(t, SQLite(t)) })
	t.Run("mongodb", func(t *testing.T) { t.Parallel(); fn(t, MongoDB(t)) })
}

func newEnv(t *testing.T, st store.Store) *Env {
	t.Cleanup(func() { st.Close(context.Background()) })
	e := &Env{T: t, Store: st, Surveys: Surveys(t), Now: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	e.Sessions = session.New(st, e.Surveys, e.Clock, false)
	e.Secrets = web.NewSecrets(st)
	e.Publisher = publish.New(st, e.Clock)
	e.Health = web.NewHealth(e.Log)
	e.Links = mail.NewLinks(st, BaseURL)
	e.Versions = versions.New(st, e.Surveys, e.Log, e.Clock)
	return e
}

// Root is the module's folder.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Surveys are the bundled surveys (the folder surveys/), each with its
// file's full path (so that ImportSurveys reads the files from any
// package's folder).
func Surveys(t testing.TB) *survey.Catalogue {
	t.Helper()
	dir := filepath.Join(Root(), "surveys")
	cat, err := survey.LoadDir(os.DirFS(dir), dir)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// UseSurveys serves the surveys in dir instead of the bundled ones, as
// IWT_SURVEYS_DIR does: before Serve, since the sessions and versions are
// made again for them.
func (e *Env) UseSurveys(dir string) {
	e.T.Helper()
	if e.App != nil {
		e.T.Fatal("webtest: UseSurveys after Serve")
	}
	cat, err := survey.LoadDir(os.DirFS(dir), dir)
	if err != nil {
		e.T.Fatal(err)
	}
	e.Surveys = cat
	e.Sessions = session.New(e.Store, e.Surveys, e.Clock, false)
	e.Versions = versions.New(e.Store, e.Surveys, e.Log, e.Clock)
}

// Survey is one of the bundled surveys.
func (e *Env) Survey(id string) *survey.Definition {
	e.T.Helper()
	d, ok := e.Surveys.Survey(id)
	if !ok {
		e.T.Fatalf("no survey %s in surveys/", id)
	}
	return d
}

// Serve makes the app: the service's middleware (as server.New puts it
// together) and its static files, the routes each register function adds, and a page not found
// after them. Errors are answered as the service answers a staff page's:
// the status web.Status gives, on the error page, never kept in a cache.
func (e *Env) Serve(register ...func(*web.Routes)) *fiber.App {
	errors, err := web.ErrorPages()
	if err != nil {
		e.T.Fatal(err)
	}
	app := fiber.New(fiber.Config{
		StreamRequestBody: true, DisablePreParseMultipartForm: true, BodyLimit: 1,
		ErrorHandler: func(c *fiber.Ctx, err error) error {
			web.SetSecurityHeaders(c)
			c.Set(fiber.HeaderCacheControl, "no-store")
			status, message := web.Status(err)
			if status >= 500 {
				e.T.Logf("%s %s: %d: %v", c.Method(), c.Path(), status, err)
			}
			return errors.Render(c, status, "error", web.ErrorPage{Page: web.Page{Title: message, CSRF: web.Token(c)}, Status: status, Message: message})
		},
	})
	app.Use(web.CloseUnreadBody, web.RecoverPanic, web.SecurityHeaders)
	files, _ := fs.Sub(assets.Static, "static") // the folder is embedded: Sub cannot fail
	app.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(files), MaxAge: 3600}))
	app.Use(web.CSRF(e.Secrets, false, e.Clock))
	// How a test signs in: a session for the account, as the sign-in page
	// starts one (the staff package's tests sign in through that page).
	app.Get("/test/sign-in/:id", func(c *fiber.Ctx) error {
		a, err := e.Store.Account(c.UserContext(), c.Params("id"))
		if err != nil {
			return err
		}
		return e.Sessions.Start(c, a)
	})
	routes := web.NewRoutes(app, e.Sessions.Guard)
	for _, r := range register {
		r(routes)
	}
	app.Use(func(c *fiber.Ctx) error { return fiber.NewError(http.StatusNotFound, "Page not found") })
	e.App = app
	return app
}

var accounts atomic.Int64

// Account adds a staff account with the role (and organisation) and
// returns it.
func (e *Env) Account(role auth.Role, org string) store.Account {
	e.T.Helper()
	id := fmt.Sprintf("%s-%d", role, accounts.Add(1))
	a := store.Account{ID: id, Email: id + "@example.org", Name: "Test " + string(role), Role: string(role), Organisation: org, Created: e.Clock()}
	if err := e.Store.CreateAccount(context.Background(), a); err != nil {
		e.T.Fatal(err)
	}
	return a
}

// Password is the password of the accounts AccountWithPassword adds.
const Password = "staff password for tests"

// hashed is Password's hash, made once: a hash costs what it must for
// real passwords, and the accounts of tests may share one (signing in
// still checks the password against it).
var hashed struct {
	once sync.Once
	hash string
	err  error
}

// AccountWithPassword adds a staff account as Account does, with the
// password Password, for a test that signs in through the sign-in page.
func (e *Env) AccountWithPassword(role auth.Role, org string) store.Account {
	e.T.Helper()
	hashed.once.Do(func() { hashed.hash, hashed.err = auth.HashPassword(Password) })
	hash, err := hashed.hash, hashed.err
	if err != nil {
		e.T.Fatal(err)
	}
	id := fmt.Sprintf("%s-%d", role, accounts.Add(1))
	a := store.Account{ID: id, Email: id + "@example.org", Name: "Test " + string(role), Role: string(role), Organisation: org, PasswordHash: hash, Created: e.Clock()}
	if err := e.Store.CreateAccount(context.Background(), a); err != nil {
		e.T.Fatal(err)
	}
	return a
}

// StaffBrowser is a browser signed in with a new account of the role.
func (e *Env) StaffBrowser(role auth.Role, org string) *Browser {
	e.T.Helper()
	b := e.Browser()
	b.Get("/test/sign-in/" + e.Account(role, org).ID).Must(http.StatusOK)
	return b
}

// CloseRound closes a round, as the staff page does: its figures are
// published when next read.
func (e *Env) CloseRound(d *survey.Definition, round string) {
	e.T.Helper()
	ctx := context.Background()
	now := e.Clock()
	st := store.RoundState{SurveyID: d.ID, Round: round, Created: now}
	if all, err := e.Store.RoundStates(ctx, d.ID); err == nil {
		for _, s := range all {
			if s.Round == round {
				st = s
			}
		}
	} else {
		e.T.Fatal(err)
	}
	st.Open, st.OpensAt, st.ClosesAt, st.Updated = false, time.Time{}, now, now
	if err := e.Store.SetRoundState(ctx, st); err != nil {
		e.T.Fatal(err)
	}
}

// AuditLog is the audit log as "actor action target", newest first.
func (e *Env) AuditLog() []string {
	e.T.Helper()
	entries, err := e.Store.AuditLog(context.Background(), 100)
	if err != nil {
		e.T.Fatal(err)
	}
	var out []string
	for _, x := range entries {
		out = append(out, strings.TrimSpace(x.Actor+" "+x.Action+" "+x.Target))
	}
	return out
}

// ImportSurveys does what the service does at start-up with the survey
// files: each becomes the live version of its survey in the store, the
// store's live versions are served (versions.Live's Import and Refresh),
// and each version served is recorded as served (its definition's
// fingerprints, which a new version's changes are read against).
func (e *Env) ImportSurveys() {
	e.T.Helper()
	ctx := context.Background()
	if err := e.Versions.Import(ctx); err != nil {
		e.T.Fatal(err)
	}
	if err := e.Versions.Refresh(ctx); err != nil {
		e.T.Fatal(err)
	}
	for _, d := range e.Surveys.All() {
		if _, err := e.Store.SaveDefinition(ctx, store.VersionOf(d, e.Clock())); err != nil {
			e.T.Fatal(err)
		}
	}
}
