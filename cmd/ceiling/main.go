// Command ceiling measures the service's respondent pages against their
// ceiling: a bare Fiber handler doing the same store work (docs/
// performance.md, "The page ceiling"). It is a developer's tool, built
// on its own; nothing of it is linked into the service.
//
// Run from the repository's root:
//
//	go run ./cmd/ceiling -old main -rounds 3 -d 8s
//
// It builds the service from the working tree ("new") and, with -old,
// from a git revision ("old", through git archive), starts each on a
// fresh data folder with the bundled surveys, opens a respondent's draft
// of the integrated working self-assessment and saves its "keeping
// children safe" grid (8 statements × 7 radios), and starts itself as the
// bare handler serving that page. Then, round after round, it drives each
// server in turn with -c keep-alive clients for -d: page reads (GET of
// the grid with the respondent's cookies), then saves (POST of the grid's
// form, 8 answers and the token). Each measurement is the requests a
// second and the server's CPU a request (user and system time from
// /proc/PID/stat). It prints each measurement as it goes and, at the
// end, a table of the ratios of the service to the bare handler, with
// the load average, to paste into docs/performance.md.
package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	_ "modernc.org/sqlite"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "bare" {
		bare(os.Args[2], os.Args[3])
		return
	}
	old := flag.String("old", "", "also measure the service built from this git revision")
	rounds := flag.Int("rounds", 3, "rounds: each server read then saved in turn")
	dur := flag.Duration("d", 8*time.Second, "how long each measurement drives a server")
	conc := flag.Int("c", 32, "concurrent keep-alive clients")
	keep := flag.Bool("keep", false, "keep the work folder (binaries, data, logs)")
	flag.Parse()
	if err := run(*old, *rounds, *dur, *conc, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "ceiling:", err)
		os.Exit(1)
	}
}

const (
	surveyPath = "/s/integrated-working/baseline"
	gridPath   = surveyPath + "/section/keeping-children-safe"
)

// server is one server driven: its process, where to read and save, and
// the respondent's cookies and form.
type server struct {
	name       string
	cmd        *exec.Cmd
	read, save string
	cookie     string
	form       string
}

func run(old string, rounds int, dur time.Duration, conc int, keep bool) error {
	work, err := os.MkdirTemp("", "ceiling-")
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(work)
	} else {
		fmt.Println("work folder:", work)
	}
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(root, "cmd", "iwtoolkit")); err != nil {
		return errors.New("run from the repository's root")
	}
	type build struct{ name, src string }
	builds := []build{{"new", root}}
	if old != "" {
		src := filepath.Join(work, "old-src")
		if err := os.MkdirAll(src, 0o755); err != nil {
			return err
		}
		archive := exec.Command("sh", "-c", "git archive --format=tar "+strconv.Quote(old)+" | tar -x -C "+strconv.Quote(src))
		archive.Stderr = os.Stderr
		if err := archive.Run(); err != nil {
			return fmt.Errorf("git archive %s: %w", old, err)
		}
		rev, _ := exec.Command("git", "rev-parse", "--short", old).Output()
		fmt.Printf("old: %s (%s)\n", old, strings.TrimSpace(string(rev)))
		builds = append(builds, build{"old", src})
	}
	var servers []*server
	defer func() {
		for _, s := range servers {
			s.cmd.Process.Kill()
			s.cmd.Wait()
		}
	}()
	var page []byte
	for i, b := range builds {
		bin := filepath.Join(work, "iwtoolkit-"+b.name)
		fmt.Printf("building %s from %s\n", b.name, b.src)
		gb := exec.Command("go", "build", "-o", bin, "./cmd/iwtoolkit")
		gb.Dir, gb.Stdout, gb.Stderr = b.src, os.Stdout, os.Stderr
		if err := gb.Run(); err != nil {
			return fmt.Errorf("building %s: %w", b.name, err)
		}
		addr, err := freeAddr()
		if err != nil {
			return err
		}
		data := filepath.Join(work, "data-"+b.name)
		cmd := exec.Command(bin, "serve")
		cmd.Env = append(os.Environ(), "IWT_SUBMIT_LIMIT=0", "IWT_DATA_DIR="+data, "IWT_LISTEN="+addr,
			"IWT_SURVEYS_DIR="+filepath.Join(b.src, "surveys"))
		s := &server{name: b.name, cmd: cmd, read: "http://" + addr + gridPath, save: "http://" + addr + gridPath}
		if err := start(cmd, filepath.Join(work, b.name+".log"), "http://"+addr+"/"); err != nil {
			return fmt.Errorf("starting %s: %w", b.name, err)
		}
		servers = append(servers, s)
		p, err := respondent(s, "http://"+addr)
		if err != nil {
			return fmt.Errorf("%s: %w", b.name, err)
		}
		if i == 0 {
			page = p
		}
	}
	pageFile := filepath.Join(work, "grid.html")
	if err := os.WriteFile(pageFile, page, 0o644); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	cmd := exec.Command(self, "bare", addr, pageFile)
	cmd.Env = append(os.Environ(), "TMPDIR="+work)
	if err := start(cmd, filepath.Join(work, "bare.log"), "http://"+addr+"/ready"); err != nil {
		return fmt.Errorf("starting the bare handler: %w", err)
	}
	b := &server{name: "bare", cmd: cmd, read: "http://" + addr + "/page", save: "http://" + addr + "/save", cookie: servers[0].cookie, form: servers[0].form}
	servers = append(servers, b)
	fmt.Printf("page: %d bytes; %d rounds of %s, %d clients\n", len(page), rounds, dur, conc)

	type result struct{ rate, cpu float64 }
	results := map[string][]result{} // "name read" or "name save", by round
	var loads []string
	for r := 1; r <= rounds; r++ {
		loads = append(loads, loadavg())
		fmt.Printf("round %d, load average %s\n", r, loads[len(loads)-1])
		for _, what := range []string{"read", "save"} {
			for _, s := range servers {
				target, form := s.read, ""
				if what == "save" {
					target, form = s.save, s.form
				}
				n, bad, rate, cpu := drive(target, s.cookie, form, s.cmd.Process.Pid, conc, dur)
				fmt.Printf("  %-4s %s: %d ok, %d refused, %.0f/s, %.0f µs CPU a request\n", s.name, what, n, bad, rate, cpu)
				if bad > n/100 {
					return fmt.Errorf("%s %s: %d of %d requests refused", s.name, what, bad, n+bad)
				}
				results[s.name+" "+what] = append(results[s.name+" "+what], result{rate, cpu})
			}
		}
	}
	loads = append(loads, loadavg())

	// The table: for each round and each service build, the ratio to the
	// bare handler of the same round.
	fmt.Printf("\nload average (1, 5, 15 min) at each round's start and at the end: %s\n\n", strings.Join(loads, "; "))
	names := []string{"new"}
	if old != "" {
		names = append(names, "old")
	}
	fmt.Print("| round | what |")
	for _, n := range names {
		fmt.Printf(" %s: µs CPU, req/s |", n)
	}
	fmt.Print(" bare: µs CPU, req/s |")
	for _, n := range names {
		fmt.Printf(" %s ratio (CPU, req/s) |", n)
	}
	fmt.Print("\n| --- | --- |")
	for range 2*len(names) + 1 {
		fmt.Print(" --- |")
	}
	fmt.Println()
	sum := map[string][2]float64{}
	for r := range rounds {
		for _, what := range []string{"read", "save"} {
			bare := results["bare "+what][r]
			fmt.Printf("| %d | %s |", r+1, what)
			for _, n := range names {
				x := results[n+" "+what][r]
				fmt.Printf(" %.0f, %.0f |", x.cpu, x.rate)
			}
			fmt.Printf(" %.0f, %.0f |", bare.cpu, bare.rate)
			for _, n := range names {
				x := results[n+" "+what][r]
				c, q := bare.cpu/x.cpu, x.rate/bare.rate
				fmt.Printf(" %.2f, %.2f |", c, q)
				s := sum[n+" "+what]
				sum[n+" "+what] = [2]float64{s[0] + c, s[1] + q}
			}
			fmt.Println()
		}
	}
	fmt.Println()
	for _, n := range names {
		for _, what := range []string{"read", "save"} {
			s := sum[n+" "+what]
			fmt.Printf("%s %s: mean ratio %.2f by CPU a request, %.2f by requests a second\n", n, what, s[0]/float64(rounds), s[1]/float64(rounds))
		}
	}
	return nil
}

// freeAddr is a loopback address with a port free now.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// start starts cmd, its output to logFile, and waits until ready answers.
func start(cmd *exec.Cmd, logFile, ready string) error {
	log, err := os.Create(logFile)
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return err
	}
	for range 240 {
		if resp, err := http.Get(ready); err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(250 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	out, _ := os.ReadFile(logFile)
	return fmt.Errorf("not answering after 60 s:\n%s", out)
}

var (
	tokenRe  = regexp.MustCompile(`name="csrf_token" value="([^"]*)"`)
	actionRe = regexp.MustCompile(`<form method="post" action="([^"]*)"`)
)

// respondent starts a draft on the service at base as a respondent does,
// saves the grid once, and keeps the cookies and the grid's form in s. It
// returns the grid's page as the service then shows it.
func respondent(s *server, base string) ([]byte, error) {
	// The cookies by hand: every one the service sets is for the survey's
	// path or the root, and a simple map keeps the tool's behaviour plain.
	cookies := map[string]string{}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(req *http.Request) (*http.Response, error) {
		for k, v := range cookies {
			req.AddCookie(&http.Cookie{Name: k, Value: v})
		}
		resp, err := c.Do(req)
		if err != nil {
			return nil, err
		}
		for _, ck := range resp.Cookies() {
			if ck.Value == "" || ck.MaxAge < 0 {
				delete(cookies, ck.Name)
			} else {
				cookies[ck.Name] = ck.Value
			}
		}
		return resp, nil
	}
	get := func(path string) ([]byte, error) {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		resp, err := do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("GET %s: %s", path, resp.Status)
		}
		return b, err
	}
	post := func(path string, form url.Values) error {
		req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			return fmt.Errorf("POST %s: %s", path, resp.Status)
		}
		return nil
	}
	token := func(page []byte) string {
		if m := tokenRe.FindSubmatch(page); m != nil {
			return string(m[1])
		}
		return ""
	}
	startPage, err := get(surveyPath)
	if err != nil {
		return nil, err
	}
	if action := actionRe.FindSubmatch(startPage); action != nil { // a start that posts, in some versions
		if err := post(string(action[1]), url.Values{"csrf_token": {token(startPage)}}); err != nil {
			return nil, err
		}
	}
	grid, err := get(gridPath)
	if err != nil {
		return nil, err
	}
	form := url.Values{"csrf_token": {token(grid)}}
	for i := 1; i <= 8; i++ {
		form.Set("keeping-children-safe-"+strconv.Itoa(i), "3")
	}
	if err := post(gridPath, form); err != nil {
		return nil, err
	}
	if grid, err = get(gridPath); err != nil {
		return nil, err
	}
	var pairs []string
	for k, v := range cookies {
		pairs = append(pairs, k+"="+v)
	}
	s.cookie, s.form = strings.Join(pairs, "; "), form.Encode()
	if !strings.Contains(s.cookie, "=") || !strings.Contains(string(grid), `value="3" checked`) {
		return nil, fmt.Errorf("the saved answers are not on the grid's page (cookies %q)", s.cookie)
	}
	return grid, nil
}

// bare is the ceiling: a Fiber handler doing a page read's and a save's
// store work on SQLite (WAL, the service's pragmas, one writer and a pool
// of 8 readers) with nothing else. A read selects the draft, decodes its
// JSON and sends the page it was given; a save reads the posted form,
// upserts the draft with its own commit and answers 303.
func bare(listen, pageFile string) {
	body, err := os.ReadFile(pageFile)
	if err != nil {
		panic(err)
	}
	dir, err := os.MkdirTemp("", "bare")
	if err != nil {
		panic(err)
	}
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	dsn := "file:" + dir + "/bare.db?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		panic(err)
	}
	db.SetMaxOpenConns(1)
	read, err := sql.Open("sqlite", dsn)
	if err != nil {
		panic(err)
	}
	read.SetMaxOpenConns(8)
	read.SetMaxIdleConns(8)
	if _, err := db.Exec(`CREATE TABLE drafts (key TEXT PRIMARY KEY, answers TEXT, updated INTEGER)`); err != nil {
		panic(err)
	}
	answers, _ := json.Marshal(map[string]string{"sector": "health", "role": "frontline", "caf-1": "3", "caf-2": "4"})
	if _, err := db.Exec(`INSERT INTO drafts VALUES ('k', ?, 0)`, string(answers)); err != nil {
		panic(err)
	}
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/ready", func(c *fiber.Ctx) error { return c.SendString("ready") })
	app.Get("/page", func(c *fiber.Ctx) error {
		var a string
		if err := read.QueryRowContext(c.UserContext(), `SELECT answers FROM drafts WHERE key = ?`, "k").Scan(&a); err != nil {
			return err
		}
		var m map[string]string
		if err := json.Unmarshal([]byte(a), &m); err != nil {
			return err
		}
		c.Type("html", "utf-8")
		return c.Send(body)
	})
	app.Post("/save", func(c *fiber.Ctx) error {
		m := map[string]string{}
		c.Request().PostArgs().VisitAll(func(k, v []byte) { m[string(k)] = string(v) })
		b, _ := json.Marshal(m)
		if _, err := db.ExecContext(c.UserContext(), `INSERT INTO drafts (key, answers, updated) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET answers = excluded.answers, updated = excluded.updated`, "k", string(b), time.Now().UnixMilli()); err != nil {
			return err
		}
		return c.Redirect("/page", http.StatusSeeOther)
	})
	panic(app.Listen(listen))
}

// cpuTicks is the user and system time of process pid, in clock ticks
// (a hundredth of a second).
func cpuTicks(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b)[strings.LastIndexByte(string(b), ')')+2:])
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return u + s
}

// loadavg is the machine's load average over 1, 5 and 15 minutes.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:3], " ")
}

// drive sends requests to target from conc clients for dur (a POST of
// form if it is not empty, else a GET) and returns how many were
// answered 200 or 303 and how many otherwise, the answered a second, and
// the process pid's CPU a request in µs.
func drive(target, cookie, form string, pid, conc int, dur time.Duration) (n, bad int64, rate, cpu float64) {
	tr := &http.Transport{MaxIdleConnsPerHost: conc}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var ok, refused atomic.Int64
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	c0, t0 := cpuTicks(pid), time.Now()
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for ctx.Err() == nil {
				method, body := http.MethodGet, io.Reader(nil)
				if form != "" {
					method, body = http.MethodPost, strings.NewReader(form)
				}
				req, _ := http.NewRequest(method, target, body)
				if form != "" {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				if cookie != "" {
					req.Header.Set("Cookie", cookie)
				}
				resp, err := client.Do(req)
				if err != nil {
					refused.Add(1)
					continue
				}
				io.Copy(io.Discard, bufio.NewReader(resp.Body))
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusSeeOther {
					refused.Add(1)
					continue
				}
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	el := time.Since(t0)
	ticks := cpuTicks(pid) - c0
	n, bad = ok.Load(), refused.Load()
	return n, bad, float64(n) / el.Seconds(), float64(ticks) * 1e4 / float64(max(n, 1))
}
