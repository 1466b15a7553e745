// Command depcheck fails when go.mod requires a dependency, or names a Go
// toolchain, below the minimum listed in .ci/minimums.txt: the advisories
// that list records cannot creep back in through a downgrade.
//
//	go run ./.ci/depcheck [minimums.txt] [go.mod]
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

func main() {
	mins, gomod := ".ci/minimums.txt", "go.mod"
	if len(os.Args) > 1 {
		mins = os.Args[1]
	}
	if len(os.Args) > 2 {
		gomod = os.Args[2]
	}
	have, err := requirements(gomod)
	if err != nil {
		fail(err)
	}
	f, err := os.Open(mins) // #nosec G304 G703 -- a path given by the developer running the check
	if err != nil {
		fail(err)
	}
	defer f.Close()
	var problems []string
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		if len(fields) < 3 {
			fail(fmt.Errorf("%s:%d: want: module minimum source", mins, line))
		}
		mod, want := fields[0], fields[1]
		got, ok := have[mod]
		switch {
		case !ok && mod == "go":
			problems = append(problems, fmt.Sprintf("go.mod has no toolchain line; want %s or later", want))
		case !ok:
			continue // not a dependency (any more): nothing to hold back
		case less(got, want):
			problems = append(problems, fmt.Sprintf("%s is %s; %s or later is required (%s)", mod, got, want, strings.Join(fields[2:], " ")))
		}
	}
	if err := sc.Err(); err != nil {
		fail(err)
	}
	if len(problems) > 0 {
		fail(fmt.Errorf("dependencies below their minimum:\n  %s", strings.Join(problems, "\n  ")))
	}
	fmt.Println("dependencies at or above their minimums")
}

// requirements reads go.mod's requirements and toolchain (as "go").
func requirements(gomod string) (map[string]string, error) {
	out, err := exec.Command("go", "mod", "edit", "-json", gomod).Output() // #nosec G204 G702 -- fixed program, path from the developer
	if err != nil {
		return nil, fmt.Errorf("go mod edit -json %s: %w", gomod, err)
	}
	var m struct {
		Toolchain string
		Require   []struct{ Path, Version string }
	}
	if err := json.Unmarshal(out, &m); err != nil {
		return nil, err
	}
	have := map[string]string{}
	for _, r := range m.Require {
		have[r.Path] = r.Version
	}
	if m.Toolchain != "" {
		have["go"] = m.Toolchain
	}
	return have, nil
}

// less compares two versions (v1.2.3, go1.26.9) by their numeric release
// parts; a pre-release or pseudo-version counts as below its release.
func less(a, b string) bool {
	pa, preA := parts(a)
	pb, preB := parts(b)
	for i := range 3 {
		if pa[i] != pb[i] {
			return pa[i] < pb[i]
		}
	}
	return preA && !preB
}

func parts(v string) (n [3]int, pre bool) {
	v = strings.TrimPrefix(strings.TrimPrefix(v, "go"), "v")
	v, suffix, hasSuffix := strings.Cut(v, "-")
	_ = suffix
	for i, s := range strings.SplitN(v, ".", 3) {
		n[i], _ = strconv.Atoi(strings.TrimSuffix(s, "+incompatible"))
	}
	return n, hasSuffix
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "depcheck:", err)
	os.Exit(1)
}
