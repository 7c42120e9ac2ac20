// Package load drives made-up respondents through a survey's pages as a
// browser with JavaScript off would: the start page, every section's page
// and its form, check answers, send, and the confirmation. It is for
// measuring the service and for proving it loses nothing under faults, so
// it reports what each respondent was told: which answers the service
// acknowledged and which references it confirmed.
//
// What each respondent was told of their send is one of three: confirmed
// (the send answered with the way to the confirmation page and its
// reference), refused (the send answered anything else, a 503 "not sent
// yet, try again" say), or no answer at all (the run stopped or the
// connection was cut). Whether the response was stored is the database's
// to say: Result keeps the references confirmed and the draft tokens of
// the sends refused, for the caller to look up (iwtoolkit load
// --check-store).
//
// It only talks to the loopback interface, and it always stops by itself:
// after a set number of responses or a set time, whichever comes first.
package load

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/synthetic"
)

// MaxDuration bounds a run, whatever it is asked for.
const MaxDuration = time.Hour

// Config is one run.
type Config struct {
	// Targets are the base URLs of the service, all on the loopback
	// interface. With more than one, every request goes to one picked at
	// random, as behind a load balancer with no sticky sessions.
	Targets []string
	Survey  *survey.Definition
	Round   string
	// Respondents is how many answer at once. Each starts again as a new
	// respondent when it has sent its answers.
	Respondents int
	// The run stops after Responses confirmed responses (0: no limit) or
	// after Duration, whichever comes first.
	Responses int
	Duration  time.Duration
	Seed      uint64
	// Confirmed, when set, is called with each reference as a respondent
	// sees it on a confirmation page, one call at a time: to follow a run,
	// for instance to stop the service part of the way through.
	Confirmed func(reference string)
}

// Kinds of page, in the order a respondent meets them.
var Kinds = []string{"start", "privacy", "tasks", "section", "save", "check", "send", "done"}

// Result is what a run saw.
type Result struct {
	Elapsed time.Duration
	// References are the references the service confirmed: each send
	// answered with the way to its confirmation page (whether that page
	// then loaded or not, which Failures counts). Each must be stored
	// exactly once.
	References []string
	// Refused are the sends the service answered with anything but a
	// confirmation: the respondent was told the answers were not sent.
	// None should be stored; a repeat of the send would find it if it
	// were.
	Refused []Refusal
	// Unfinished are the respondents that had a draft but no confirmation
	// when the run stopped or a request of theirs failed (the service went
	// away, say), with the answers the service acknowledged saving: each
	// must find them in their draft, or their response stored if the send
	// was cut off after the service had stored it.
	Unfinished []Unfinished
	Latency    map[string]*Histogram // by kind
	Failures   map[string]int        // by kind and status, e.g. "save 503"
	// FirstFailure is one failure in full, for the report.
	FirstFailure string
}

// Refusal is a send answered without a confirmation.
type Refusal struct {
	Token  string // the draft cookie's value: its key is survey.DraftKey(Token)
	Status string // what the send answered, e.g. "503 Service Unavailable"
}

// Unfinished is a respondent part of the way through.
type Unfinished struct {
	Token string            // the draft cookie's value
	Saved map[string]string // answers whose page the service acknowledged
}

// Completed is how many responses were confirmed per second.
func (r *Result) Completed() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(len(r.References)) / r.Elapsed.Seconds()
}

// Run drives cfg.Respondents respondents until the run stops or ctx ends.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	transport := &http.Transport{
		MaxIdleConns:        cfg.Respondents * len(cfg.Targets),
		MaxIdleConnsPerHost: cfg.Respondents,
		IdleConnTimeout:     30 * time.Second,
	}
	defer transport.CloseIdleConnections()
	res := &Result{Latency: map[string]*Histogram{}, Failures: map[string]int{}}
	for _, k := range Kinds {
		res.Latency[k] = &Histogram{}
	}
	var (
		mu        sync.Mutex
		remaining = cfg.Responses
		wg        sync.WaitGroup
	)
	// claim reserves one more response for a respondent to send, and
	// false when the run has all it needs.
	claim := func() bool {
		mu.Lock()
		defer mu.Unlock()
		if cfg.Responses == 0 {
			return true
		}
		if remaining == 0 {
			return false
		}
		remaining--
		return true
	}
	start := time.Now()
	for w := range cfg.Respondents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(cfg.Seed, uint64(w)))
			for ctx.Err() == nil && claim() {
				r := newRespondent(&cfg, rng, transport)
				ref, err := r.respond(ctx)
				mu.Lock()
				for k, h := range r.latency {
					res.Latency[k].Merge(h)
				}
				if ref != "" {
					res.References = append(res.References, ref)
					if cfg.Confirmed != nil {
						cfg.Confirmed(ref)
					}
				} else if token := r.token(); token != "" && err != nil {
					res.Unfinished = append(res.Unfinished, Unfinished{Token: token, Saved: r.saved})
				}
				var f *failure
				if errors.As(err, &f) && f.kind == "send" && f.status != "" {
					res.Refused = append(res.Refused, Refusal{Token: r.sending, Status: f.status})
				}
				if err != nil && ctx.Err() == nil { // a failure, not the run stopping
					var f *failure
					if errors.As(err, &f) {
						res.Failures[f.kind+" "+f.status]++
					} else {
						res.Failures["error"]++
					}
					if res.FirstFailure == "" {
						res.FirstFailure = err.Error()
					}
					if cfg.Responses > 0 && ref == "" {
						remaining++ // someone else sends it
					}
				}
				mu.Unlock()
				if err != nil { // a moment before starting again, not a spin against a failing service
					select {
					case <-ctx.Done():
					case <-time.After(100 * time.Millisecond):
					}
				}
			}
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	return res, nil
}

func (cfg *Config) check() error {
	if len(cfg.Targets) == 0 {
		return errors.New("load: no target")
	}
	for _, t := range cfg.Targets {
		if err := Loopback(t); err != nil {
			return err
		}
	}
	switch {
	case cfg.Survey == nil:
		return errors.New("load: no survey")
	case cfg.Respondents < 1:
		return errors.New("load: at least one respondent is needed")
	case cfg.Duration <= 0 || cfg.Duration > MaxDuration:
		return fmt.Errorf("load: the duration must be more than 0 and at most %s", MaxDuration)
	case cfg.Responses < 0:
		return errors.New("load: the number of responses cannot be negative")
	}
	if cfg.Survey.InvitationOnly {
		return fmt.Errorf("load: survey %s is answered only through invitations; the load generator answers open surveys", cfg.Survey.ID)
	}
	if _, ok := cfg.Survey.Round(cfg.Round); !ok {
		return fmt.Errorf("load: survey %s has no round %q", cfg.Survey.ID, cfg.Round)
	}
	return nil
}

// Loopback refuses a target that is not an http URL on the loopback
// interface: the load generator is for a service on this machine.
func Loopback(target string) error {
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("load: %q is not an http URL", target)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("load: %s is not on the loopback interface (127.0.0.1, ::1 or localhost); the load generator only drives a service on this machine", host)
	}
	return nil
}

// respondent is one made-up person going through the pages.
type respondent struct {
	cfg     *Config
	rng     *rand.Rand
	client  http.Client
	jar     jar
	buf     bytes.Buffer // the last response's body
	latency map[string]*Histogram
	saved   map[string]string // answers the service acknowledged
	csrf    string            // the last page's form token
	// sending is the draft cookie's value as the send left: what the
	// service stores the response under, whatever cookies the send's
	// answer sets or removes.
	sending string
}

func newRespondent(cfg *Config, rng *rand.Rand, transport *http.Transport) *respondent {
	r := &respondent{cfg: cfg, rng: rng, jar: jar{}, latency: map[string]*Histogram{}, saved: map[string]string{}}
	r.client = http.Client{
		Transport:     transport,
		Jar:           r.jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       time.Minute,
	}
	return r
}

// failure is a page that did not answer as a browser expects.
type failure struct {
	kind, status, detail string
	err                  error // what it is, where that matters
}

func (f *failure) Error() string { return fmt.Sprintf("%s: %s: %s", f.kind, f.status, f.detail) }
func (f *failure) Unwrap() error { return f.err }

var (
	// The start and continue buttons are links with role="button" to the
	// service's own pages; the stop link on young people's pages is not a
	// button, and their Exit this page button leads off the service.
	startLink = regexp.MustCompile(`href="(/[^"]*)" role="button"`)
	markup    = regexp.MustCompile(`<[^>]+>|\s+`)
	reference = regexp.MustCompile(`<strong>([0-9A-Z]{5}-[0-9A-Z]{5})</strong>`)
)

// respond answers the survey once and returns the reference the service
// confirmed, if it did, and the error of the first page that failed.
func (r *respondent) respond(ctx context.Context) (string, error) {
	d := r.cfg.Survey
	base := "/s/" + d.ID + "/" + r.cfg.Round
	body, err := r.get(ctx, "start", base)
	if err != nil {
		return "", err
	}
	m := startLink.FindSubmatch(body)
	if m == nil {
		return "", &failure{"start", "200", "no Start now button", nil}
	}
	at := string(m[1]) // where the respondent is
	if d.ForYoungPeople() {
		if body, err = r.get(ctx, "privacy", at); err != nil {
			return "", err
		}
		if m = startLink.FindSubmatch(body); m == nil {
			return "", &failure{"privacy", "200", "no Continue button", nil}
		}
		at = string(m[1])
	}
	// at is the page the last answer led to, not yet loaded: the
	// browser loads it, then goes on from there as the respondent would.
	answers := map[string]string{}
	for _, sec := range d.Sections {
		if !sec.ShowIf.Holds(answers) {
			continue
		}
		page := base + "/section/" + sec.ID
		if err := r.visit(ctx, at, page); err != nil {
			return "", err
		}
		form := synthetic.Form(d, sec, answers, r.rng)
		// Answers that reveal a question on the same page bring the page
		// back (a redirect to it, at the new question) to answer it; a
		// browser with JavaScript off then sends the page again, the new
		// answer with it.
		for shown := 0; ; shown++ {
			at, err = r.post(ctx, "save", page, form)
			if !errors.Is(err, errShownAgain) || shown == 2 {
				break
			}
		}
		if err != nil {
			return "", err
		}
		for k := range form {
			r.saved[k] = form.Get(k)
		}
	}
	check := base + "/check"
	if err := r.visit(ctx, at, check); err != nil {
		return "", err
	}
	r.sending = r.token()
	done, err := r.post(ctx, "send", check, url.Values{})
	if err != nil {
		return "", err
	}
	u, err := url.Parse(done)
	confirmed := ""
	if err == nil && strings.HasSuffix(u.Path, "/done") {
		confirmed = u.Query().Get("ref")
	}
	if confirmed == "" {
		return "", &failure{"send", "303", "not to a confirmation: " + done, nil}
	}
	if body, err = r.get(ctx, "done", done); err != nil {
		return confirmed, err
	}
	if m = reference.FindSubmatch(body); m == nil || string(m[1]) != confirmed {
		return confirmed, &failure{"done", "200", "not the confirmed reference " + confirmed + " on the confirmation page", nil}
	}
	return confirmed, nil
}

// visit loads the page at, where the respondent was sent, and then page
// if that is somewhere else (from the task list, the next part).
func (r *respondent) visit(ctx context.Context, at, page string) error {
	if at != page {
		if _, err := r.get(ctx, kindOf(at), at); err != nil {
			return err
		}
	}
	_, err := r.get(ctx, kindOf(page), page)
	return err
}

// kindOf is the kind of page at a path the service redirected to.
func kindOf(path string) string {
	for _, k := range []string{"tasks", "check", "done", "privacy"} {
		if strings.HasSuffix(path, "/"+k) || strings.Contains(path, "/"+k+"?") {
			return k
		}
	}
	return "section"
}

// target picks the instance for a request.
func (r *respondent) target() string {
	t := r.cfg.Targets
	return t[r.rng.IntN(len(t))]
}

// get fetches a page, expecting 200, and keeps its form token. The body
// is good until the respondent's next request.
func (r *respondent) get(ctx context.Context, kind, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.target()+path, nil)
	if err != nil {
		return nil, err
	}
	resp, body, err := r.do(kind, req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &failure{kind, resp.Status, path, nil}
	}
	r.keepToken(body)
	return body, nil
}

// keepToken keeps a page's form token, for the next post.
func (r *respondent) keepToken(page []byte) {
	if token, ok := between(page, `name="csrf_token" value="`, `"`); ok {
		r.csrf = string(token)
	}
}

// post sends a form with the last page's token, expecting the service to
// accept it and say where to go next (303). The form itself is left as it
// was: it is the answers, which respond keeps.
func (r *respondent) post(ctx context.Context, kind, path string, form url.Values) (string, error) {
	sent := url.Values{"csrf_token": {r.csrf}}
	for k, v := range form {
		sent[k] = v
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.target()+path, strings.NewReader(sent.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, body, err := r.do(kind, req)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusSeeOther {
		return "", &failure{kind, resp.Status, path + ": " + summary(string(body)), nil}
	}
	loc := resp.Header.Get("Location")
	if kind == "save" && strings.Contains(loc, "revealed=") {
		// The page again, at the question its answers revealed: a
		// browser follows, and sends the page again.
		loc, _, _ = strings.Cut(loc, "#")
		if _, err := r.get(ctx, "section", loc); err != nil {
			return "", err
		}
		return loc, errShownAgain
	}
	return loc, nil
}

// errShownAgain is a page sent back to answer a question its answers
// revealed.
var errShownAgain = errors.New("load: the page came back with more to answer")

// do makes one request, timing it to the end of the body.
func (r *respondent) do(kind string, req *http.Request) (*http.Response, []byte, error) {
	began := time.Now()
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	r.buf.Reset()
	if _, err := r.buf.ReadFrom(resp.Body); err != nil {
		return nil, nil, err
	}
	h := r.latency[kind]
	if h == nil {
		h = &Histogram{}
		r.latency[kind] = h
	}
	h.Add(time.Since(began))
	return resp, r.buf.Bytes(), nil
}

// token is the respondent's draft cookie, if the service gave one.
func (r *respondent) token() string {
	if c, ok := r.jar["iwt_draft"]; ok {
		return c.Value
	}
	return ""
}

// jar is one respondent's cookies. Every request goes to the service, on
// paths every cookie it sets covers, so names are enough; a cookie the
// service removes (an expired one, or Max-Age below 0) goes. It stands in
// for net/http/cookiejar, which cost the load generator more CPU than the
// rest of a request.
type jar map[string]*http.Cookie

func (j jar) SetCookies(_ *url.URL, cookies []*http.Cookie) {
	for _, c := range cookies {
		if c.MaxAge < 0 || !c.Expires.IsZero() && c.Expires.Before(time.Now()) {
			delete(j, c.Name)
			continue
		}
		j[c.Name] = c
	}
}

func (j jar) Cookies(*url.URL) []*http.Cookie {
	out := make([]*http.Cookie, 0, len(j))
	for _, c := range j {
		out = append(out, &http.Cookie{Name: c.Name, Value: c.Value})
	}
	return out
}

// between is the text of s after the first start, up to end.
func between(s []byte, start, end string) ([]byte, bool) {
	_, after, ok := bytes.Cut(s, []byte(start))
	if !ok {
		return nil, false
	}
	v, _, ok := bytes.Cut(after, []byte(end))
	return v, ok
}

// summary is the error summary of a page that came back, for the report.
func summary(body string) string {
	i := strings.Index(body, "govuk-error-summary__list")
	if i < 0 {
		i = strings.Index(body, "<h1")
	}
	if i < 0 {
		return ""
	}
	s := markup.ReplaceAllString(body[i:min(len(body), i+600)], " ")
	return strings.TrimSpace(s)
}

// Histogram counts durations in buckets about 2% wide, so that a long run
// keeps its percentiles in a few kilobytes.
type Histogram struct {
	counts []int64
	n      int64
	max    time.Duration
}

const growth = 1.02

func bucket(d time.Duration) int {
	us := float64(d.Microseconds())
	if us < 1 {
		return 0
	}
	return int(math.Log(us)/math.Log(growth)) + 1
}

// Add counts one duration.
func (h *Histogram) Add(d time.Duration) {
	b := bucket(d)
	if b >= len(h.counts) {
		h.counts = append(h.counts, make([]int64, b+1-len(h.counts))...)
	}
	h.counts[b]++
	h.n++
	h.max = max(h.max, d)
}

// Merge adds another histogram's counts.
func (h *Histogram) Merge(o *Histogram) {
	if len(o.counts) > len(h.counts) {
		h.counts = append(h.counts, make([]int64, len(o.counts)-len(h.counts))...)
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// Count is how many durations were added.
func (h *Histogram) Count() int64 { return h.n }

// Max is the longest duration added.
func (h *Histogram) Max() time.Duration { return h.max }

// Percentile is the duration below which p (0 to 100) of them fall, to the
// upper edge of its bucket.
func (h *Histogram) Percentile(p float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := int64(math.Ceil(p / 100 * float64(h.n)))
	var seen int64
	for i, c := range h.counts {
		seen += c
		if seen >= max(rank, 1) {
			upper := time.Duration(math.Pow(growth, float64(i))) * time.Microsecond
			return min(upper, h.max)
		}
	}
	return h.max
}

// Report writes the run's figures as a table.
func (r *Result) Report(w io.Writer) {
	fmt.Fprintf(w, "%d responses confirmed in %.1f s: %.1f per second; %d sends refused\n", len(r.References), r.Elapsed.Seconds(), r.Completed(), len(r.Refused))
	fmt.Fprintf(w, "%-8s %9s %9s %9s %9s %9s\n", "page", "requests", "p50 ms", "p90 ms", "p99 ms", "max ms")
	var all Histogram
	for _, k := range Kinds {
		h := r.Latency[k]
		if h.Count() == 0 {
			continue
		}
		all.Merge(h)
		fmt.Fprintf(w, "%-8s %9d %9.1f %9.1f %9.1f %9.1f\n", k, h.Count(), ms(h.Percentile(50)), ms(h.Percentile(90)), ms(h.Percentile(99)), ms(h.Max()))
	}
	fmt.Fprintf(w, "%-8s %9d %9.1f %9.1f %9.1f %9.1f\n", "all", all.Count(), ms(all.Percentile(50)), ms(all.Percentile(90)), ms(all.Percentile(99)), ms(all.Max()))
	if len(r.Failures) > 0 {
		keys := make([]string, 0, len(r.Failures))
		for k := range r.Failures {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "failed: %s ×%d\n", k, r.Failures[k])
		}
		fmt.Fprintf(w, "first failure: %s\n", r.FirstFailure)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
