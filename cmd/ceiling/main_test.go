package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"
)

// The driver counts the requests answered 200 or 303 apart from the
// others, and posts the form when it has one, with the cookies it is
// given.
func TestDrive(t *testing.T) {
	var posts, gets atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie("a"); err != nil || c.Value != "1" {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		if r.Method == http.MethodPost {
			r.ParseForm()
			if r.PostForm.Get("x") != "y" {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			posts.Add(1)
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
		gets.Add(1)
		w.Write([]byte("page"))
	}))
	defer srv.Close()
	n, bad, rate, _ := drive(srv.URL, "a=1", "", os.Getpid(), 2, 100*time.Millisecond)
	if n == 0 || bad != 0 || n != gets.Load() || rate <= 0 {
		t.Errorf("reads: %d ok, %d refused, %.0f/s; the server answered %d", n, bad, rate, gets.Load())
	}
	n, bad, _, _ = drive(srv.URL, "a=1", "x=y", os.Getpid(), 2, 100*time.Millisecond)
	if n == 0 || bad != 0 || n != posts.Load() {
		t.Errorf("saves: %d ok, %d refused; the server took %d", n, bad, posts.Load())
	}
	if n, bad, _, _ = drive(srv.URL, "a=2", "", os.Getpid(), 2, 100*time.Millisecond); n != 0 || bad == 0 {
		t.Errorf("refused requests: %d ok, %d refused", n, bad)
	}
}
