package mail

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// NotifyURL is GOV.UK Notify's API.
const NotifyURL = "https://api.notifications.service.gov.uk"

// Notify sends through GOV.UK Notify's API
// (POST /v2/notifications/email), with a template whose subject is
// ((subject)) and whose message is ((body)): the service writes both, as it
// does for SMTP. The API key is Notify's "name-serviceid-secret"; each
// request carries a JSON Web Token (HS256, iss the service id, iat now)
// signed with the secret, as Notify's documentation says.
type Notify struct {
	BaseURL    string // NotifyURL when empty; a test's server in tests
	serviceID  string
	secret     string
	templateID string
	client     *http.Client
	now        func() time.Time
}

// NewNotify checks an API key and template id and returns the transport.
func NewNotify(apiKey, templateID string) (*Notify, error) {
	// The key ends with the service id and the secret, two UUIDs of 36
	// characters each, joined by hyphens; the name before them may have
	// hyphens of its own.
	n := len(apiKey)
	if n < 75 || apiKey[n-37] != '-' || apiKey[n-74] != '-' {
		return nil, errors.New("mail: IWT_NOTIFY_API_KEY is not a GOV.UK Notify API key (name-serviceid-secret)")
	}
	if templateID == "" {
		return nil, errors.New("mail: IWT_NOTIFY_TEMPLATE_ID is not set")
	}
	secret, service := apiKey[n-36:], apiKey[n-73:n-37]
	return &Notify{serviceID: service, secret: secret, templateID: templateID, client: &http.Client{Timeout: time.Minute}, now: time.Now}, nil
}

// token is the request's JSON Web Token.
func (n *Notify) token() string {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"typ":"JWT","alg":"HS256"}`))
	claims := enc.EncodeToString([]byte(fmt.Sprintf(`{"iss":%q,"iat":%d}`, n.serviceID, n.now().Unix())))
	m := hmac.New(sha256.New, []byte(n.secret))
	m.Write([]byte(header + "." + claims))
	return header + "." + claims + "." + enc.EncodeToString(m.Sum(nil))
}

// Send posts one email. Notify's 400 and 403 (a bad address, a bad key or
// template) will not change and wrap ErrRejected; 429 and 5xx are retried.
func (n *Notify) Send(ctx context.Context, m Message) error {
	body, err := json.Marshal(map[string]any{
		"email_address":   m.To,
		"template_id":     n.templateID,
		"personalisation": map[string]string{"subject": m.Subject, "body": m.Body},
		"reference":       m.ID,
	})
	if err != nil {
		return err
	}
	base := n.BaseURL
	if base == "" {
		base = NotifyURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(base, "/")+"/v2/notifications/email", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+n.token())
	resp, err := n.client.Do(req)
	if err != nil {
		return fmt.Errorf("mail: notify: %s", scrub(err.Error(), m.To))
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode == http.StatusCreated:
		return nil
	case resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusForbidden:
		return rejected{fmt.Errorf("mail: notify: refused with %d", resp.StatusCode)}
	default:
		return fmt.Errorf("mail: notify: answered %d", resp.StatusCode)
	}
}
