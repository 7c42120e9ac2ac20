package server

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestBodyTooLargeRefusedUnread sends bodies larger than their routes allow
// to the running server and stops part way, as a client stalling would:
// each is answered at once, from what has arrived, without the server
// waiting for (or holding) the rest, and its connection is closed.
func TestBodyTooLargeRefusedUnread(t *testing.T) {
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	s, _, _ := testServer(t, &now)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.App().Listener(ln)
	t.Cleanup(func() { s.App().Shutdown() })

	const section = "/s/integrated-working/baseline/section/about-you"
	chunk := strings.Repeat("a", 16<<10)
	for _, tc := range []struct {
		name, head, body string
		status           int
		location         string
	}{{
		name:   "a respondent's form declaring 1 MB",
		head:   "POST " + section + " HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1048576\r\n",
		body:   "sector=",
		status: http.StatusRequestEntityTooLarge,
	}, {
		name: "a respondent's form chunked, past 64 KB",
		head: "POST " + section + " HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n",
		// Five chunks of 16 KB, and no last chunk: the body never ends.
		body:   strings.Repeat(fmt.Sprintf("%x\r\n%s\r\n", len(chunk), chunk), 5),
		status: http.StatusRequestEntityTooLarge,
	}, {
		name:     "the upload form from nobody signed in",
		head:     "POST /staff/contacts HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: 1048576\r\n",
		body:     "--x\r\n",
		status:   http.StatusSeeOther,
		location: "/staff/sign-in?next=",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			// A bound for a broken server, not a measure of a working one.
			conn.SetDeadline(time.Now().Add(time.Minute))
			// Written while the answer is read: the server may close the
			// connection before it has taken all that is sent, and a
			// write cut off so is no failure.
			go fmt.Fprintf(conn, "%sHost: x\r\n\r\n%s", tc.head, tc.body)
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no answer before the body was sent: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status || !strings.HasPrefix(resp.Header.Get("Location"), tc.location) {
				t.Errorf("status %d %q, want %d %q", resp.StatusCode, resp.Header.Get("Location"), tc.status, tc.location)
			}
			if !resp.Close {
				t.Error("the connection is kept open with the rest of the body unread")
			}
		})
	}
}
