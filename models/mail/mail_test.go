package mail

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"log/slog"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// received is what the test SMTP server saw for one message.
type received struct {
	From     string
	To       []string
	Data     []byte
	TLS      bool
	AuthUser string
}

// testBackend is an in-process go-smtp backend. When user is set it offers
// AUTH PLAIN and refuses mail from unauthenticated sessions.
type testBackend struct {
	user, pass string
	msgs       chan received
}

func (b *testBackend) NewSession(c *gosmtp.Conn) (gosmtp.Session, error) {
	return &testSession{be: b, conn: c}, nil
}

type testSession struct {
	be       *testBackend
	conn     *gosmtp.Conn
	authUser string
	from     string
	to       []string
}

var _ gosmtp.AuthSession = (*testSession)(nil)

func (s *testSession) AuthMechanisms() []string {
	if s.be.user == "" {
		return nil // AUTH is then not advertised at all
	}
	return []string{sasl.Plain}
}

func (s *testSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != s.be.user || password != s.be.pass {
			return gosmtp.ErrAuthFailed
		}
		s.authUser = username
		return nil
	}), nil
}

func (s *testSession) Mail(from string, _ *gosmtp.MailOptions) error {
	if s.be.user != "" && s.authUser == "" {
		return gosmtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *testSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *testSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.be.msgs <- received{From: s.from, To: s.to, Data: data, TLS: isTLS, AuthUser: s.authUser}
	return nil
}

func (s *testSession) Reset()        { s.from, s.to = "", nil }
func (s *testSession) Logout() error { return nil }

// countingListener counts TCP connections, to prove a refused message never
// reached the server at all.
type countingListener struct {
	net.Listener
	n atomic.Int32
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

type serverOpts struct {
	user, pass  string
	tlsConfig   *tls.Config // offered via STARTTLS unless implicitTLS
	implicitTLS bool
}

type testServer struct {
	addr  string
	msgs  chan received
	conns *countingListener
}

func startServer(t *testing.T, o serverOpts) *testServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl := &countingListener{Listener: l}
	be := &testBackend{user: o.user, pass: o.pass, msgs: make(chan received, 10)}
	s := gosmtp.NewServer(be)
	s.Domain = "localhost"
	s.AllowInsecureAuth = true
	s.ReadTimeout = 10 * time.Second
	s.WriteTimeout = 10 * time.Second
	s.ErrorLog = log.New(io.Discard, "", 0)
	s.TLSConfig = o.tlsConfig
	var ln net.Listener = cl
	if o.implicitTLS {
		ln = tls.NewListener(cl, o.tlsConfig)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Serve(ln)
	}()
	t.Cleanup(func() {
		s.Close()
		<-done
	})
	return &testServer{addr: l.Addr().String(), msgs: be.msgs, conns: cl}
}

// one returns the single message the server received, failing if there is
// none or more than one.
func (ts *testServer) one(t *testing.T) received {
	t.Helper()
	var r received
	select {
	case r = <-ts.msgs:
	case <-time.After(5 * time.Second):
		t.Fatal("server received no message")
	}
	select {
	case extra := <-ts.msgs:
		t.Fatalf("server received a second message: %q", extra.Data)
	default:
	}
	return r
}

// testCert returns a server certificate for 127.0.0.1 and a pool trusting it.
func testCert(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "quire test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, pool
}

func newSender(t *testing.T, smtpURL string) Sender {
	t.Helper()
	s, err := New(smtpURL, "fallback@example.test", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// resetURL is exactly 150 characters: longer than both the 76-character
// quoted-printable limit and the 78 characters RFC 5322 recommends, so it
// must be soft-wrapped on the wire and reassembled by the reader.
var resetURL = func() string {
	p := "https://blog.example.test/account/reset?token="
	return p + strings.Repeat("x", 150-len(p))
}()

var resetText = "Bonjour,\n\nPour réinitialiser votre mot de passe :\n" + resetURL +
	"\n\n.a line starting with a dot survives dot-stuffing\ntrailing space \n"

func TestSMTPSend(t *testing.T) {
	if len(resetURL) != 150 {
		t.Fatalf("resetURL is %d chars", len(resetURL))
	}
	ts := startServer(t, serverOpts{})
	s := newSender(t, "smtp://"+ts.addr+"?from=Quire%20<noreply@example.test>")

	err := s.Send(t.Context(), Message{To: "alice@example.test", Subject: "Réinitialisation", Text: resetText})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	r := ts.one(t)

	if r.From != "noreply@example.test" {
		t.Errorf("envelope from = %q", r.From)
	}
	if len(r.To) != 1 || r.To[0] != "alice@example.test" {
		t.Errorf("envelope to = %q", r.To)
	}
	if bytes.Contains(bytes.ReplaceAll(r.Data, []byte("\r\n"), nil), []byte("\n")) ||
		bytes.Contains(bytes.ReplaceAll(r.Data, []byte("\r\n"), nil), []byte("\r")) {
		t.Errorf("message has bare CR or LF:\n%q", r.Data)
	}
	for line := range strings.SplitSeq(string(r.Data), "\r\n") {
		if len(line) > 78 {
			t.Errorf("line longer than 78 chars on the wire: %q", line)
		}
	}

	msg, err := mail.ReadMessage(bytes.NewReader(r.Data))
	if err != nil {
		t.Fatalf("ReadMessage: %v\n%s", err, r.Data)
	}
	h := msg.Header
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil || subject != "Réinitialisation" {
		t.Errorf("Subject %q decodes to %q, %v", h.Get("Subject"), subject, err)
	}
	if h.Get("Subject") == "Réinitialisation" {
		t.Errorf("non-ASCII Subject sent unencoded")
	}
	if from, err := h.AddressList("From"); err != nil || len(from) != 1 ||
		from[0].Name != "Quire" || from[0].Address != "noreply@example.test" {
		t.Errorf("From = %q (%v)", h.Get("From"), err)
	}
	if to, err := h.AddressList("To"); err != nil || len(to) != 1 || to[0].Address != "alice@example.test" {
		t.Errorf("To = %q (%v)", h.Get("To"), err)
	}
	if d, err := h.Date(); err != nil || time.Since(d).Abs() > time.Minute {
		t.Errorf("Date = %q (%v)", h.Get("Date"), err)
	}
	if id := h.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@example.test>") {
		t.Errorf("Message-ID = %q", id)
	}
	for k, want := range map[string]string{
		"MIME-Version":              "1.0",
		"Content-Type":              "text/plain; charset=utf-8",
		"Content-Transfer-Encoding": "quoted-printable",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if h.Get("Bcc") != "" {
		t.Errorf("unexpected Bcc header")
	}

	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatalf("decoding body: %v", err)
	}
	want := strings.ReplaceAll(resetText, "\n", "\r\n")
	if string(body) != want {
		t.Errorf("body round-trip:\n got %q\nwant %q", body, want)
	}
	if !strings.Contains(string(body), "\r\n"+resetURL+"\r\n") {
		t.Errorf("reset URL not intact on its own line")
	}
	if r.TLS || r.AuthUser != "" {
		t.Errorf("plain server: TLS=%v auth=%q", r.TLS, r.AuthUser)
	}
}

func TestSMTPAuthPlain(t *testing.T) {
	ts := startServer(t, serverOpts{user: "quire", pass: "s3cret"})

	s := newSender(t, "smtp://quire:s3cret@"+ts.addr+"?from=noreply@example.test")
	if err := s.Send(t.Context(), Message{To: "bob@example.test", Subject: "Password changed", Text: "Hi"}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if r := ts.one(t); r.AuthUser != "quire" {
		t.Errorf("AuthUser = %q", r.AuthUser)
	}

	bad := newSender(t, "smtp://quire:wr0ngpassw0rd@"+ts.addr+"?from=noreply@example.test")
	err := bad.Send(t.Context(), Message{To: "bob@example.test", Subject: "x", Text: "y"})
	if err == nil {
		t.Fatal("Send with wrong password succeeded")
	}
	if strings.Contains(err.Error(), "wr0ngpassw0rd") {
		t.Errorf("error leaks the password: %v", err)
	}
	select {
	case m := <-ts.msgs:
		t.Errorf("message delivered despite failed auth: %q", m.Data)
	default:
	}

	// Without credentials the server refuses the mail.
	anon := newSender(t, "smtp://"+ts.addr+"?from=noreply@example.test")
	if err := anon.Send(t.Context(), Message{To: "bob@example.test", Subject: "x", Text: "y"}); err == nil {
		t.Error("unauthenticated Send succeeded against a server requiring auth")
	}
}

func TestSMTPCredentialsButNoAUTH(t *testing.T) {
	ts := startServer(t, serverOpts{}) // does not advertise AUTH
	s := newSender(t, "smtp://u:p@"+ts.addr+"?from=noreply@example.test")
	err := s.Send(t.Context(), Message{To: "bob@example.test", Subject: "x", Text: "y"})
	if err == nil || !strings.Contains(err.Error(), "does not offer AUTH") {
		t.Fatalf("err = %v", err)
	}
}

func TestSMTPStartTLS(t *testing.T) {
	serverTLS, pool := testCert(t)
	ts := startServer(t, serverOpts{user: "quire", pass: "s3cret", tlsConfig: serverTLS})
	s := newSender(t, "smtp://quire:s3cret@"+ts.addr+"?from=noreply@example.test")
	s.(*smtpSender).rootCAs = pool
	if err := s.Send(t.Context(), Message{To: "bob@example.test", Subject: "x", Text: "y"}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if r := ts.one(t); !r.TLS || r.AuthUser != "quire" {
		t.Errorf("TLS=%v AuthUser=%q, want STARTTLS then AUTH", r.TLS, r.AuthUser)
	}
}

func TestSMTPStartTLSUntrustedCertDoesNotFallBack(t *testing.T) {
	serverTLS, _ := testCert(t)
	ts := startServer(t, serverOpts{tlsConfig: serverTLS})
	s := newSender(t, "smtp://"+ts.addr+"?from=noreply@example.test") // system roots
	err := s.Send(t.Context(), Message{To: "bob@example.test", Subject: "x", Text: "y"})
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("err = %v, want STARTTLS failure", err)
	}
	select {
	case m := <-ts.msgs:
		t.Errorf("message sent in plaintext after STARTTLS failed: %q", m.Data)
	default:
	}
}

func TestSMTPSImplicitTLS(t *testing.T) {
	serverTLS, pool := testCert(t)
	ts := startServer(t, serverOpts{user: "quire", pass: "s3cret", tlsConfig: serverTLS, implicitTLS: true})
	s := newSender(t, "smtps://quire:s3cret@"+ts.addr+"?from=noreply@example.test")
	s.(*smtpSender).rootCAs = pool
	if err := s.Send(t.Context(), Message{To: "bob@example.test", Subject: "x", Text: "y"}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if r := ts.one(t); !r.TLS || r.AuthUser != "quire" {
		t.Errorf("TLS=%v AuthUser=%q", r.TLS, r.AuthUser)
	}
}

func TestHeaderInjectionRefused(t *testing.T) {
	ts := startServer(t, serverOpts{})
	s := newSender(t, "smtp://"+ts.addr+"?from=noreply@example.test")
	logS := newLogSender(t, io.Discard)

	for _, m := range []Message{
		{To: "alice@example.test", Subject: "hi\r\nBcc: x@evil.test", Text: "body"},
		{To: "alice@example.test", Subject: "hi\nBcc: x@evil.test", Text: "body"},
		{To: "alice@example.test\r\nBcc: x@evil.test", Subject: "hi", Text: "body"},
		{To: "alice@example.test, x@evil.test", Subject: "hi", Text: "body"},
		{To: "not an address", Subject: "hi", Text: "body"},
		{To: "", Subject: "hi", Text: "body"},
	} {
		if err := s.Send(t.Context(), m); err == nil {
			t.Errorf("smtp Send(%q, %q) succeeded", m.To, m.Subject)
		}
		if err := logS.Send(t.Context(), m); err == nil {
			t.Errorf("log Send(%q, %q) succeeded", m.To, m.Subject)
		}
	}
	if n := ts.conns.n.Load(); n != 0 {
		t.Errorf("refused messages opened %d connections", n)
	}

	// A good message afterwards is the only thing the server ever sees.
	if err := s.Send(t.Context(), Message{To: "alice@example.test", Subject: "ok", Text: "body"}); err != nil {
		t.Fatal(err)
	}
	r := ts.one(t)
	if bytes.Contains(r.Data, []byte("evil")) {
		t.Errorf("injected content reached the server: %q", r.Data)
	}
	if n := ts.conns.n.Load(); n != 1 {
		t.Errorf("connections = %d, want 1", n)
	}

	// The from address is a header too.
	_, err := New("smtp://"+ts.addr+"?from=a@example.test%0d%0aBcc:%20x@evil.test", "", nil)
	if err == nil {
		t.Error("New accepted a from address with CRLF")
	}
	_, err = New("smtp://"+ts.addr, "a@example.test\r\nBcc: x@evil.test", nil)
	if err == nil {
		t.Error("New accepted a default from address with CRLF")
	}
}

func newLogSender(t *testing.T, w io.Writer) Sender {
	t.Helper()
	s, err := New("", "", slog.New(slog.NewTextHandler(w, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLogSender(t *testing.T) {
	var buf bytes.Buffer
	s := newLogSender(t, &buf)
	if _, ok := s.(*logSender); !ok {
		t.Fatalf("New(\"\") = %T, want log sender", s)
	}
	err := s.Send(t.Context(), Message{To: "alice@example.test", Subject: "Réinitialisation", Text: resetText})
	if err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"level=INFO",
		"mail (not sent: no QUIRE_SMTP_URL)",
		"to=alice@example.test",
		"Réinitialisation",
		resetURL,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

func TestNewBadURL(t *testing.T) {
	const pw = "hunter2pw"
	for _, tc := range []struct {
		url, from, want string
	}{
		{"http://x", "a@example.test", `unsupported scheme "http" (use smtp:// or smtps://)`},
		{"http://user:" + pw + "@x", "a@example.test", `unsupported scheme "http"`},
		{"smtp://", "a@example.test", "no host"},
		{"smtp://user:" + pw + "@", "a@example.test", "no host"},
		{"smtp:mail.example.test", "a@example.test", "no host"},
		{":::", "a@example.test", "invalid URL: missing protocol scheme"},
		{"mail.example.test", "a@example.test", "missing scheme"},
		{"smtp://user:" + pw + "%zz@mail.example.test", "a@example.test", "invalid URL"},
		{"smtp://user:" + pw + "@mail.example.test:99999", "a@example.test", `invalid port "99999"`},
		{"smtp://user:" + pw + "@mail.example.test/x", "a@example.test", "unexpected path"},
		{"smtp://user:" + pw + "@mail.example.test?form=a@example.test", "a@example.test", `unknown query parameter "form"`},
		{"smtp://user:" + pw + "@mail.example.test", "", "no from address"},
		{"smtp://user:" + pw + "@mail.example.test?from=nonsense", "a@example.test", "invalid from address"},
		{"smtp://user@mail.example.test", "a@example.test", "user name and a password"},
	} {
		_, err := New(tc.url, tc.from, nil)
		if err == nil {
			t.Errorf("New(%q) succeeded", tc.url)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "mail: QUIRE_SMTP_URL: ") || !strings.Contains(msg, tc.want) {
			t.Errorf("New(%q) = %q, want it to mention %q", tc.url, msg, tc.want)
		}
		if strings.Contains(msg, pw) {
			t.Errorf("New(%q) error leaks the password: %q", tc.url, msg)
		}
	}
}

func TestNewParsesURL(t *testing.T) {
	for _, tc := range []struct {
		url, addr, from string
		tls, auth       bool
	}{
		{"smtp://mail.example.test", "mail.example.test:587", "d@example.test", false, false},
		{"SMTP://mail.example.test:25/", "mail.example.test:25", "d@example.test", false, false},
		{"smtps://u:p%40ss@mail.example.test?from=x@example.test", "mail.example.test:465", "x@example.test", true, true},
		{"smtp://[::1]:2525", "[::1]:2525", "d@example.test", false, false},
	} {
		s, err := New(tc.url, "d@example.test", nil)
		if err != nil {
			t.Errorf("New(%q): %v", tc.url, err)
			continue
		}
		ss := s.(*smtpSender)
		if ss.addr != tc.addr || ss.from.Address != tc.from || ss.implicitTLS != tc.tls || ss.auth != tc.auth {
			t.Errorf("New(%q) = addr %q from %q tls %v auth %v", tc.url, ss.addr, ss.from.Address, ss.implicitTLS, ss.auth)
		}
		if tc.auth && ss.password != "p@ss" {
			t.Errorf("password not unescaped: %q", ss.password)
		}
	}
}

// silentServer accepts TCP connections and never says anything, like a
// firewalled or wedged mail relay.
func silentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	})
	t.Cleanup(func() {
		l.Close()
		wg.Wait()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

func TestSendHonoursDeadline(t *testing.T) {
	s := newSender(t, "smtp://"+silentServer(t))
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()

	start := time.Now()
	err := s.Send(ctx, Message{To: "alice@example.test", Subject: "x", Text: "y"})
	elapsed := time.Since(start)
	if err == nil {
		t.Fatal("Send to a silent server succeeded")
	}
	if elapsed > 1500*time.Millisecond {
		t.Errorf("Send took %v with a 500ms deadline", elapsed)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want it to wrap context.DeadlineExceeded", err)
	}
}

func TestSendHonoursCancel(t *testing.T) {
	s := newSender(t, "smtp://"+silentServer(t))
	ctx, cancel := context.WithCancel(t.Context()) // no deadline: 15s default applies
	time.AfterFunc(200*time.Millisecond, cancel)

	start := time.Now()
	err := s.Send(ctx, Message{To: "alice@example.test", Subject: "x", Text: "y"})
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("Send took %v after cancel", elapsed)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want it to wrap context.Canceled", err)
	}
}

func TestBuildMessage(t *testing.T) {
	from := &mail.Address{Name: "Quire", Address: "noreply@example.test"}
	to := &mail.Address{Address: "alice@example.test"}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

	raw := string(buildMessage(from, to, Message{Subject: "Plain subject", Text: "a\nb\r\nc\rd"}, now))
	for _, want := range []string{
		"Subject: Plain subject\r\n", // ASCII stays readable
		"Date: Fri, 02 Jan 2026 03:04:05 +0000\r\n",
		"\r\n\r\na\r\nb\r\nc\r\nd\r\n", // every line ending becomes CRLF
	} {
		if !strings.Contains(raw, want) {
			t.Errorf("message lacks %q:\n%q", want, raw)
		}
	}

	a := buildMessage(from, to, Message{Subject: "x"}, now)
	b := buildMessage(from, to, Message{Subject: "x"}, now)
	idA, idB := header(t, a, "Message-ID"), header(t, b, "Message-ID")
	if idA == idB {
		t.Errorf("Message-IDs repeat: %s", idA)
	}
}

func header(t *testing.T, raw []byte, k string) string {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return m.Header.Get(k)
}

func ExampleNew() {
	// With no QUIRE_SMTP_URL, mail goes to the log.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	s, _ := New("", "noreply@example.test", logger)
	_ = s.Send(context.Background(), Message{To: "alice@example.test", Subject: "Reset", Text: "https://blog.example.test/reset?t=1"})
	// Output:
	// level=INFO msg="mail (not sent: no QUIRE_SMTP_URL)" to=alice@example.test subject=Reset body="https://blog.example.test/reset?t=1"
}
