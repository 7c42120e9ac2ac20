package mail

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestNotify sends to a server that checks requests as GOV.UK Notify's API
// documentation describes them: POST /v2/notifications/email, a JSON body
// with email_address, template_id, personalisation and reference, and a
// bearer JWT (HS256) whose iss is the service id, signed with the key's
// secret, with an iat within 30 seconds.
func TestNotify(t *testing.T) {
	const service, secret = "26785a09-ab16-4eb0-8407-a37497a57506", "3d844edf-8d35-48ac-975b-e847b4f122b0"
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	var got map[string]any
	status := http.StatusCreated
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v2/notifications/email" || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("request %s %s %s", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
		}
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		parts := strings.Split(token, ".")
		if !ok || len(parts) != 3 {
			t.Fatalf("authorization %q", r.Header.Get("Authorization"))
		}
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(parts[0] + "." + parts[1]))
		if sig, _ := base64.RawURLEncoding.DecodeString(parts[2]); !hmac.Equal(sig, m.Sum(nil)) {
			t.Error("the token is not signed with the key's secret")
		}
		var claims struct {
			Iss string `json:"iss"`
			Iat int64  `json:"iat"`
		}
		raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
		if err := json.Unmarshal(raw, &claims); err != nil || claims.Iss != service || claims.Iat != now.Unix() {
			t.Errorf("claims %s: %v", raw, err)
		}
		if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
			t.Error(err)
		}
		w.WriteHeader(status)
		w.Write([]byte(`{"id":"740e5834-3a29-46b4-9a6f-16142fde533a"}`))
	}))
	defer srv.Close()
	n, err := NewNotify("iwt_test-"+service+"-"+secret, "f33517ff-2a88-4f6e-b855-c550268ce08a")
	if err != nil {
		t.Fatal(err)
	}
	n.BaseURL, n.now = srv.URL, func() time.Time { return now }
	msg := Message{ID: "c1/0", To: "jo@example.org", Subject: "Please answer", Body: "Your link: https://x/i/abc"}
	if err := n.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	p, _ := got["personalisation"].(map[string]any)
	if got["email_address"] != "jo@example.org" || got["template_id"] != "f33517ff-2a88-4f6e-b855-c550268ce08a" || got["reference"] != "c1/0" ||
		p["subject"] != "Please answer" || p["body"] != msg.Body {
		t.Errorf("body %v", got)
	}
	status = http.StatusBadRequest
	if err := n.Send(context.Background(), msg); !errors.Is(err, ErrRejected) {
		t.Errorf("400: %v, want ErrRejected", err)
	}
	status = http.StatusTooManyRequests
	if err := n.Send(context.Background(), msg); err == nil || errors.Is(err, ErrRejected) {
		t.Errorf("429: %v, want an error to retry", err)
	}
	if _, err := NewNotify("not-a-key", "t"); err == nil {
		t.Error("a malformed key was taken")
	}
}
