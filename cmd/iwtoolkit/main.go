// Command iwtoolkit is the Integrated Working Toolkit: staff
// self-assessments, consultations and reports for a Children's Trust.
//
//	iwtoolkit [serve]        serve the surveys (the default)
//	iwtoolkit check [folder] check survey files without serving
//	iwtoolkit add-user ...   add a staff account (the first admin)
//
// Settings come from environment variables: run iwtoolkit --help.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"iwtoolkit/internal/config"
	"iwtoolkit/internal/mail"
	"iwtoolkit/internal/server"
	"iwtoolkit/internal/store"
	mongostore "iwtoolkit/internal/store/mongo"
	"iwtoolkit/internal/store/sqlite"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/versions"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

const usage = `Integrated Working Toolkit: self-assessments, consultations and reports for a Children's Trust.

Usage:
  iwtoolkit [serve]          serve the surveys in IWT_SURVEYS_DIR (the default command)
  iwtoolkit check [folder]   check the survey files in a folder (default IWT_SURVEYS_DIR) and exit
  iwtoolkit check FILE.xlsx  check a survey workbook: every problem by sheet, row and column
  iwtoolkit workbook --survey ID --out FILE.xlsx   write a survey as an Excel workbook (--template, --example: the blank template, a filled example)
  iwtoolkit add-user ...     add a staff account, reading its password from standard input (add-user --help)
  iwtoolkit seed --responses N [--survey ID]   write N made-up responses, for trying reports at scale
  iwtoolkit recount --survey ID --round R     recount a round from its responses; report and repair differences
  iwtoolkit audit --survey ID [--round R]     check that no figure about a group below the minimum can be worked out
  iwtoolkit recount --all                     the same for every round; also rebuilds a damaged embedded store (recount --help)
  iwtoolkit backup --to FILE                  copy the embedded store to FILE, consistent, while the service runs
  iwtoolkit load [--respondents N] [--duration D]   drive made-up respondents through a running service on this machine, and time it
  iwtoolkit invite --survey S --round R --organisation O --contacts FILE.csv   queue an invitation email to each person on a contact list
  iwtoolkit remind --survey S --round R [--organisation O]   queue a reminder to those whose invitation is unused
  iwtoolkit help             show this help; every command also takes --help

Settings (environment variables):
`

// run is the whole program, with its surroundings passed in so that tests
// can run it: the arguments, the environment, and where output goes.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	switch {
	case len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help"):
		cmd = "help" // iwtoolkit --help: every command, not serve's help
	case len(args) > 0 && args[0] != "" && args[0][0] != '-':
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stdout, stderr)
	case "check":
		return check(ctx, args, getenv, stdout)
	case "add-user":
		return addUser(ctx, args, getenv, os.Stdin, stdout)
	case "seed": // seed.go
		return seed(ctx, args, getenv, stdout)
	case "recount": // recount.go
		return recount(ctx, args, getenv, stdout)
	case "audit": // audit.go
		return audit(ctx, args, getenv, stdout)
	case "backup": // backup.go
		return backup(ctx, args, getenv, stdout)
	case "load": // load.go
		return runLoad(ctx, args, getenv, stdout)
	case "invite": // invite.go
		return invite(ctx, args, getenv, stdout)
	case "remind": // invite.go
		return remind(ctx, args, getenv, stdout)
	case "workbook": // workbook.go
		return writeWorkbook(ctx, args, getenv, stdout)
	case "help":
		fmt.Fprint(stdout, usage+config.Help())
		return nil
	default:
		fmt.Fprintf(stderr, "iwtoolkit: unknown command %q\n\n%s%s", cmd, usage, config.Help())
		return errUsage
	}
}

// flagSet makes a command's flag set; --help prints its help to stdout.
func flagSet(name, help string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.Usage = func() { fmt.Fprint(stdout, help+"\nSettings (environment variables):\n"+config.Help()) }
	return fs
}

// parse parses a command's flags; --help gives flag.ErrHelp, a bad flag
// errUsage.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}

const serveHelp = `Usage: iwtoolkit serve

Serves the surveys in IWT_SURVEYS_DIR on IWT_LISTEN. The store is MongoDB when
MONGODB_URI is set, otherwise the embedded SQLite store in IWT_DATA_DIR. A
survey file with problems is refused on its own: its survey is not served,
every problem is logged as file:line: message and shown to administrators
on /staff/surveys, and the other surveys are served.
`

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if err := parse(flagSet("serve", serveHelp, stdout), args); err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	if getenv("GOGC") == "" {
		// The live heap is small, so Go's default collects many times a
		// second under load; a larger ratio halves that CPU for tens of
		// megabytes (docs/performance.md). GOGC, when set, still decides.
		debug.SetGCPercent(400)
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	surveys, err := loadSurveys(cfg.SurveysDir)
	if err != nil {
		return err
	}
	for _, d := range surveys.All() {
		for _, w := range d.Warnings {
			log.Warn("survey file", "problem", w.String())
		}
	}
	for _, r := range surveys.Refused() {
		for _, p := range r.Problems {
			log.Error("survey file refused: its survey is not served until the file is corrected", "survey", r.ID, "problem", p.String())
		}
	}
	st, kind, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	if s, ok := st.(*sqlite.Store); ok {
		if finished, took := s.Checked(); finished {
			log.Info("database file checked", "took", took.Round(time.Millisecond).String())
		} else {
			log.Warn("the start-up check of the database file did not finish in time; serving without it, damage found later takes the service out of readiness", "took", took.Round(time.Millisecond).String())
		}
	}
	planTallies(st, surveys) // seed.go
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := st.Close(closeCtx); err != nil {
			log.Error("closing store", "error", err)
		}
	}()
	// Survey files changed since they were last imported become the live
	// versions; then every survey's live version in the store is served
	// (docs/surveys.md, "Survey files and the staff pages").
	live := versions.New(st, surveys, log, time.Now)
	if err := live.Import(ctx); err != nil {
		return err
	}
	if err := live.Refresh(ctx); err != nil {
		return err
	}
	if err := recordDefinitions(ctx, st, surveys, time.Now(), log); err != nil {
		return err
	}
	var sender mail.Sender
	if cfg.SMTPHost != "" {
		smtp, err := mail.NewSMTP(mail.SMTPConfig{Host: cfg.SMTPHost, Port: cfg.SMTPPort, Username: cfg.SMTPUsername,
			Password: cfg.SMTPPassword, From: cfg.SMTPFrom, TLS: cfg.SMTPTLS, CAFile: cfg.SMTPCAFile})
		if err != nil {
			return err
		}
		sender = smtp
	} else if cfg.NotifyAPIKey != "" {
		notify, err := mail.NewNotify(cfg.NotifyAPIKey, cfg.NotifyTemplateID)
		if err != nil {
			return err
		}
		sender = notify
	} else {
		log.Info("no mail server set (IWT_SMTP_HOST or IWT_NOTIFY_API_KEY): invitations, reminders and safeguarding alerts by email wait in the queue")
	}
	srv, err := server.New(server.Options{
		Mail: sender, Store: st, Surveys: surveys, Logger: log, Secure: cfg.Secure(),
		BaseURL: cfg.BaseURL, DraftLifetime: cfg.DraftLifetime,
		SubmitLimit: cfg.SubmitLimit, TrustedProxies: cfg.TrustedProxies(),
		RespondentTimeout: cfg.RespondentTimeout, StaffTimeout: cfg.StaffTimeout,
		Organisation: cfg.Organisation, Contact: cfg.Contact, Safeguarding: cfg.Safeguarding,
		ServiceName: cfg.ServiceName, Versions: live, PublishApproval: cfg.PublishApproval,
	})
	if err != nil {
		return err
	}
	sweepCtx, stopSweep := context.WithCancel(context.Background())
	defer stopSweep()
	go srv.SweepDrafts(sweepCtx, 10*time.Minute)
	go srv.SendMail(sweepCtx, cfg.MailInterval)
	go live.Poll(sweepCtx, cfg.SurveyPoll)
	tcp, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	ln := server.NewSilentListener(tcp)
	log.Info("listening", "addr", ln.Addr().String(), "store", kind, "surveys", len(surveys.All()), "refused", len(surveys.Refused()))

	served := make(chan error, 1)
	go func() { served <- srv.App().Listener(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdown := make(chan error, 1)
	go func() { shutdown <- srv.App().ShutdownWithTimeout(20 * time.Second) }()
	// In-flight requests finish; connections that never sent one are closed.
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-shutdown:
			if err != nil {
				return fmt.Errorf("serve: shut down: %w", err)
			}
			return nil
		case <-tick.C:
			ln.CloseSilent(time.Second)
		}
	}
}

// settingsAndSurveys loads the settings and the survey files they point
// to, for the commands other than serve and check (seed, recount,
// invite...). The files are not yet what the service serves: once the
// command has opened the store, servedSurveys makes them so.
func settingsAndSurveys(getenv func(string) string) (config.Config, *survey.Catalogue, error) {
	cfg, err := config.Load(getenv)
	if err != nil {
		return cfg, nil, err
	}
	surveys, err := loadSurveys(cfg.SurveysDir)
	if err != nil {
		return cfg, nil, err
	}
	return cfg, surveys, nil
}

// servedSurveys makes the catalogue of survey files the surveys the
// service serves, as the service does (seed.go, withPublished): each
// survey's live version in the store in place of its file (a version
// published on the staff pages, or the file as the service last imported
// it), and the surveys made on the staff pages, which have no file. A
// survey with no version in the store is served from its file, as the
// service's next start imports it. It imports no file: only serve does.
//
// A command refuses to run while a file with problems leaves its survey
// unserved (it has no live version in the store), since working on the
// surveys without it (recount --all, say) would quietly leave it out.
func servedSurveys(ctx context.Context, st store.Store, surveys *survey.Catalogue) error {
	if err := withPublished(ctx, st, surveys); err != nil {
		return err
	}
	return unserved(surveys)
}

// unserved is the error for files with problems whose surveys are not
// served.
func unserved(surveys *survey.Catalogue) error {
	var ps survey.Problems
	for _, r := range surveys.Refused() {
		if surveys.RefusedSurvey(r.ID) {
			ps = append(ps, r.Problems...)
		}
	}
	if len(ps) > 0 {
		return fmt.Errorf("the survey files have problems: correct them first (iwtoolkit check lists them):\n%w", ps)
	}
	return nil
}

// noSurvey is the error for a survey id that is not served: it lists the
// surveys that are.
func noSurvey(command, id string, surveys *survey.Catalogue) error {
	ids := make([]string, 0, len(surveys.All()))
	for _, d := range surveys.All() {
		ids = append(ids, d.ID)
	}
	served := "none"
	if len(ids) > 0 {
		served = strings.Join(ids, ", ")
	}
	return fmt.Errorf("%s: there is no survey %q: the surveys served are %s (their files, and the surveys published on the staff pages)", command, id, served)
}

// loadSurveys reads a folder of survey files, or one file. A file with
// problems is in the catalogue's Refused, not an error.
func loadSurveys(dir string) (*survey.Catalogue, error) {
	var c *survey.Catalogue
	var err error
	fi, statErr := os.Stat(dir)
	if errors.Is(statErr, fs.ErrNotExist) {
		return nil, fmt.Errorf("there are no survey files at %s: run iwtoolkit from the folder that holds surveys/, or set IWT_SURVEYS_DIR to the folder of survey files", dir)
	}
	if statErr == nil && !fi.IsDir() {
		c, err = survey.LoadFile(os.DirFS(filepath.Dir(dir)), filepath.Base(dir), filepath.Dir(dir))
	} else {
		c, err = survey.LoadDir(os.DirFS(dir), dir)
	}
	var problems survey.Problems
	if errors.As(err, &problems) {
		return nil, fmt.Errorf("the survey files have problems:\n%w", err)
	}
	return c, err
}

// How long opening the store may take at start-up. MongoDB's Open gives
// connecting 10 s of its own; the rest is for creating missing indexes,
// which on a large collection means building one, and must not fail
// start-up half-way (docs/deployment.md, Start-up). The embedded store's
// includes the check of its file, which has a minute of its own.
const (
	sqliteOpenBudget = 2 * time.Minute
	mongoOpenBudget  = 15 * time.Minute
)

func openStore(ctx context.Context, cfg config.Config) (store.Store, string, error) {
	if cfg.MongoURI != "" {
		openCtx, cancel := context.WithTimeout(ctx, mongoOpenBudget)
		defer cancel()
		s, err := mongostore.OpenWith(openCtx, cfg.MongoURI, cfg.Database, mongostore.Settings{
			MaxPool: uint64(cfg.MongoMaxPool), MinPool: uint64(cfg.MongoMinPool), AfterStored: cfg.AfterSendTimeout,
		})
		return s, "mongodb", err
	}
	openCtx, cancel := context.WithTimeout(ctx, sqliteOpenBudget)
	defer cancel()
	s, err := sqlite.Open(openCtx, cfg.DataDir)
	return s, "sqlite", err
}

const checkHelp = `Usage: iwtoolkit check [--strict] [folder | file.yaml | FILE.xlsx]

Checks every survey file (*.yaml) in the folder (default IWT_SURVEYS_DIR)
without serving. Prints every problem as file:line: message and exits 1 if
there are any. Given a workbook (FILE.xlsx, see iwtoolkit workbook --help),
checks it by the same rules and prints every problem as sheet, row and
column: message.

When the configured store exists (MONGODB_URI, or a database in
IWT_DATA_DIR; check never creates one), it also compares each file with
the versions the service served and warns, as file:line: warning: ...,
about changes that break comparison with earlier answers: a changed scale,
a changed question type, changed answer values, and text that shares few
words with the old (an id reused with a different meaning). Removed ids are
reported as info: old responses keep them. Warnings exit 0 unless --strict.
`

func check(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flagSet("check", checkHelp, stdout)
	strict := fs.Bool("strict", false, "exit 1 when there are warnings")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	dir := cfg.SurveysDir
	if fs.NArg() > 0 {
		dir = fs.Arg(0)
	}
	load := loadSurveys
	if isWorkbook(dir) {
		load = loadWorkbook // workbook.go
	}
	c, err := load(dir)
	if err != nil {
		return err
	}
	inFiles := 0
	for _, d := range c.All() {
		fmt.Fprintf(stdout, "%s: %s, version %s, %d sections, %d rounds\n", d.File, d.Title, d.Version, len(d.Sections), len(d.Rounds))
		for _, w := range d.Warnings {
			fmt.Fprintln(stdout, w)
			inFiles++
		}
	}
	if ps := c.Problems(); len(ps) > 0 {
		return fmt.Errorf("the survey files have problems (%d files refused):\n%w", len(c.Refused()), ps)
	}
	warnings, err := checkLive(ctx, cfg, c, func(line string) { fmt.Fprintln(stdout, line) })
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d surveys, no problems, %d warnings in the files, %d warnings about changes to live surveys\n", len(c.All()), inFiles, warnings)
	warnings += inFiles
	if *strict && warnings > 0 {
		return fmt.Errorf("check: %d warnings (--strict)", warnings)
	}
	return nil
}
