package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
)

// The load command drives respondents through a running service until it
// has the responses asked for, reports per kind of page, and every
// response it reports is stored; it answers every open bundled survey. It
// refuses a service not on this machine.
func TestLoadCommand(t *testing.T) {
	e := sqliteEnv(t)
	e["IWT_SUBMIT_LIMIT"] = "0"
	svc := start(t, e)
	var out bytes.Buffer
	args := []string{"load", "--target", svc.URL, "--respondents", "3", "--responses", "7", "--duration", "5m"}
	if err := run(context.Background(), args, e.getenv, &out, &out); err != nil {
		t.Fatalf("load: %v\n%s", err, out.String())
	}
	report := out.String()
	if !strings.Contains(report, "\n7 responses confirmed in ") {
		t.Errorf("load report does not say 7 responses were confirmed:\n%s", report)
	}
	for _, kind := range []string{"start", "tasks", "section", "save", "check", "send", "done", "all"} {
		if !regexp.MustCompile(`(?m)^` + kind + ` +\d+ +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+$`).MatchString(report) {
			t.Errorf("load report has no latency line for %s:\n%s", kind, report)
		}
	}
	if strings.Contains(report, "failed") {
		t.Errorf("load report shows failures:\n%s", report)
	}
	if got := len(responses(t, e, "integrated-working")); got != 7 {
		t.Errorf("%d responses stored, want the 7 confirmed", got)
	}

	// --check-store looks in the store for what the respondents were told.
	out.Reset()
	args = []string{"load", "--target", svc.URL, "--respondents", "2", "--responses", "4", "--duration", "5m", "--check-store"}
	if err := run(context.Background(), args, e.getenv, &out, &out); err != nil {
		t.Fatalf("load --check-store: %v\n%s", err, out.String())
	}
	for _, want := range []string{"\nstored: 4 new responses in the round (7 before, 11 after)\n", "\nconfirmed and stored: 4 of 4 confirmed\n", "\nrefused but stored: 0 of 0 refused\n", "\nstored, not confirmed: 0 "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("load --check-store report lacks %q:\n%s", want, out.String())
		}
	}

	// Every open bundled survey: the privacy notice before young people's,
	// questions a page's own answers reveal, faces, task lists.
	for _, d := range bundledCatalogue(t).All() {
		if d.InvitationOnly || d.ID == "integrated-working" {
			continue
		}
		out.Reset()
		args := []string{"load", "--target", svc.URL, "--survey", d.ID, "--respondents", "2", "--responses", "3", "--duration", "5m"}
		if err := run(context.Background(), args, e.getenv, &out, &out); err != nil {
			t.Fatalf("load %s: %v\n%s", d.ID, err, out.String())
		}
		if report := out.String(); !strings.Contains(report, "\n3 responses confirmed in ") || strings.Contains(report, "failed") {
			t.Errorf("load %s: want 3 responses confirmed and no failures:\n%s", d.ID, report)
		}
	}

	out.Reset()
	args = []string{"load", "--target", "http://192.0.2.1:8080", "--duration", "1s"}
	err := run(context.Background(), args, e.getenv, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "192.0.2.1 is not on the loopback interface") {
		t.Errorf("load against another machine: %v, want a refusal", err)
	}
}
