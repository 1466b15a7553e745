package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// wrkResult is what one wrk run reports.
type wrkResult struct {
	Requests   int64
	Duration   time.Duration
	BytesRead  float64 // as wrk prints it: 3 to 5 significant digits
	RPS        float64
	P50, P75   time.Duration
	P90, P99   time.Duration
	Non2xx3xx  int64
	Connect    int64 // socket errors
	Read       int64
	Write      int64
	Timeout    int64
	TransferPS float64 // bytes per second
}

// Errors counts every request that failed: non-2xx/3xx answers and
// socket errors.
func (r wrkResult) Errors() int64 {
	return r.Non2xx3xx + r.Connect + r.Read + r.Write + r.Timeout
}

// BytesPerResponse is the average size of a response, headers included.
func (r wrkResult) BytesPerResponse() float64 {
	if r.Requests == 0 {
		return 0
	}
	return r.BytesRead / float64(r.Requests)
}

var (
	wrkTotalRE    = regexp.MustCompile(`^\s*(\d+) requests in ([0-9.]+\w+), ([0-9.]+[KMGTP]?B) read`)
	wrkPctRE      = regexp.MustCompile(`^\s*(50|75|90|99)%\s+([0-9.]+\w+)\s*$`)
	wrkSocketRE   = regexp.MustCompile(`^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
	wrkNon2xxRE   = regexp.MustCompile(`^\s*Non-2xx or 3xx responses: (\d+)`)
	wrkRPSRE      = regexp.MustCompile(`^Requests/sec:\s+([0-9.]+)`)
	wrkTransferRE = regexp.MustCompile(`^Transfer/sec:\s+([0-9.]+[KMGTP]?B)`)
)

// parseWrk reads wrk's text report (run with --latency).
func parseWrk(out string) (wrkResult, error) {
	var r wrkResult
	var haveTotal, haveRPS, haveP99 bool
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		var err error
		switch {
		case wrkTotalRE.MatchString(line):
			m := wrkTotalRE.FindStringSubmatch(line)
			r.Requests, err = strconv.ParseInt(m[1], 10, 64)
			if err == nil {
				r.Duration, err = parseWrkDuration(m[2])
			}
			if err == nil {
				r.BytesRead, err = parseWrkBytes(m[3])
			}
			haveTotal = true
		case wrkPctRE.MatchString(line):
			m := wrkPctRE.FindStringSubmatch(line)
			var d time.Duration
			d, err = parseWrkDuration(m[2])
			switch m[1] {
			case "50":
				r.P50 = d
			case "75":
				r.P75 = d
			case "90":
				r.P90 = d
			case "99":
				r.P99, haveP99 = d, true
			}
		case wrkSocketRE.MatchString(line):
			m := wrkSocketRE.FindStringSubmatch(line)
			r.Connect, _ = strconv.ParseInt(m[1], 10, 64)
			r.Read, _ = strconv.ParseInt(m[2], 10, 64)
			r.Write, _ = strconv.ParseInt(m[3], 10, 64)
			r.Timeout, _ = strconv.ParseInt(m[4], 10, 64)
		case wrkNon2xxRE.MatchString(line):
			r.Non2xx3xx, err = strconv.ParseInt(wrkNon2xxRE.FindStringSubmatch(line)[1], 10, 64)
		case wrkRPSRE.MatchString(line):
			r.RPS, err = strconv.ParseFloat(wrkRPSRE.FindStringSubmatch(line)[1], 64)
			haveRPS = true
		case wrkTransferRE.MatchString(line):
			r.TransferPS, err = parseWrkBytes(wrkTransferRE.FindStringSubmatch(line)[1])
		}
		if err != nil {
			return wrkResult{}, fmt.Errorf("wrk output %q: %w", line, err)
		}
	}
	switch {
	case !haveTotal:
		return wrkResult{}, fmt.Errorf("wrk output has no \"N requests in\" line")
	case !haveRPS:
		return wrkResult{}, fmt.Errorf("wrk output has no Requests/sec line")
	case !haveP99 && r.Requests > 0:
		return wrkResult{}, fmt.Errorf("wrk output has no latency distribution (run with --latency)")
	}
	return r, nil
}

// parseWrkDuration reads wrk's times: 812.00us, 1.52ms, 2.01s, 1.00m, 1.00h.
func parseWrkDuration(s string) (time.Duration, error) {
	units := []struct {
		suffix string
		unit   time.Duration
	}{{"us", time.Microsecond}, {"ms", time.Millisecond}, {"m", time.Minute}, {"h", time.Hour}, {"s", time.Second}}
	for _, u := range units {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			f, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return 0, err
			}
			return time.Duration(f * float64(u.unit)), nil
		}
	}
	return 0, fmt.Errorf("time %q: unknown unit", s)
}

// parseWrkBytes reads wrk's sizes, in powers of 1024: 512.00B, 1.50KB, 2.25MB.
func parseWrkBytes(s string) (float64, error) {
	num, ok := strings.CutSuffix(s, "B")
	if !ok {
		return 0, fmt.Errorf("size %q: no B", s)
	}
	mult := 1.0
	if n := len(num); n > 0 {
		if i := strings.IndexByte("KMGTP", num[n-1]); i >= 0 {
			num = num[:n-1]
			for ; i >= 0; i-- {
				mult *= 1024
			}
		}
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, err
	}
	return f * mult, nil
}

// wrkRun describes one wrk invocation.
type wrkRun struct {
	URL         string
	Connections int
	Threads     int
	Duration    time.Duration
	Headers     []string // "Name: value"
	Script      string   // Lua file, "" for none
	// Redact replaces secrets in the command written to the report.
	Redact map[string]string
}

func (w wrkRun) args() []string {
	a := []string{"-t" + strconv.Itoa(w.Threads), "-c" + strconv.Itoa(w.Connections),
		"-d" + formatSeconds(w.Duration), "--timeout", "10s", "--latency"}
	for _, h := range w.Headers {
		a = append(a, "-H", h)
	}
	if w.Script != "" {
		a = append(a, "-s", w.Script)
	}
	return append(a, w.URL)
}

func formatSeconds(d time.Duration) string {
	return strconv.Itoa(int(d.Round(time.Second)/time.Second)) + "s"
}

// String is the command line as the report shows it.
func (w wrkRun) String() string {
	return redact(shellJoin(append([]string{"wrk"}, w.args()...)), w.Redact)
}

// run runs wrk and parses its report.
func (w wrkRun) run(ctx context.Context) (wrkResult, string, error) {
	ctx, cancel := context.WithTimeout(ctx, w.Duration+time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "wrk", w.args()...) // #nosec G204 -- wrk from PATH against the local server, with arguments built here
	out, err := cmd.CombinedOutput()
	if err != nil {
		return wrkResult{}, string(out), fmt.Errorf("wrk: %w: %s", err, strings.TrimSpace(string(out)))
	}
	r, err := parseWrk(string(out))
	return r, string(out), err
}

// writeLoginScript writes the Lua script that signs in again and again:
// the right password for a dedicated account (throttling counts only
// failures), with a valid CSRF cookie and token.
func writeLoginScript(dir string, fx *fixtures) (string, error) {
	body := "_csrf=" + formEscape(fx.CSRFToken) + "&login=" + formEscape(fx.LoginUser) +
		"&password=" + formEscape(fx.LoginPassword) + "&next=%2F"
	lua := fmt.Sprintf(`-- quirebench: POST /login with the right password
wrk.method = "POST"
wrk.body = %q
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = %q
`, body, "quire_csrf="+fx.CSRFCookie)
	path := filepath.Join(dir, "login.lua")
	return path, os.WriteFile(path, []byte(lua), 0o600)
}
