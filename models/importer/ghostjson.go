package importer

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// ErrNotGhost means the file is not a Ghost JSON export.
var ErrNotGhost = errors.New("importer: the file is not a Ghost export")

// ghostFile reads a Ghost export ({"db":[{"meta":…,"data":{table:[rows]}}]})
// token by token: it walks down to the tables and decodes one row at a
// time, so memory holds one row (at most MaxItemBytes), never the file.
type ghostFile struct {
	name    string
	dec     *json.Decoder
	lim     *limitedReader
	version string // meta.version: the Ghost that wrote it
	table   string // the table being read
	row     int    // rows of it read so far
}

// openGhost reads up to the first table; it says what the file looks like
// when it is not a Ghost export.
func openGhost(r io.Reader, name string) (*ghostFile, error) {
	br := bufio.NewReader(r)
	first, err := firstByte(br)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: the file is empty", name, ErrNotGhost)
	}
	if first == '<' {
		return nil, fmt.Errorf("%s: %w: it is XML (a WordPress export? use quire import wordpress)", name, ErrNotGhost)
	}
	if first != '{' {
		return nil, fmt.Errorf("%s: %w: it does not start with a JSON object", name, ErrNotGhost)
	}
	lim := &limitedReader{r: br}
	g := &ghostFile{name: name, dec: json.NewDecoder(lim), lim: lim}
	if err := g.descend(); err != nil {
		return nil, err
	}
	return g, nil
}

func firstByte(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		switch b {
		case ' ', '\t', '\r', '\n', 0xEF, 0xBB, 0xBF: // white space and a UTF-8 byte order mark
			continue
		}
		return b, br.UnreadByte()
	}
}

// descend walks {"db":[{… "data":{ and stops before the first table,
// reading meta on the way.
func (g *ghostFile) descend() error {
	if err := g.delim('{'); err != nil {
		return err
	}
	if err := g.key("db", "its top level has no \"db\""); err != nil {
		return err
	}
	if err := g.delim('['); err != nil {
		return err
	}
	if err := g.delim('{'); err != nil {
		return err
	}
	for {
		k, err := g.nextKey()
		if err != nil {
			return err
		}
		switch k {
		case "":
			return g.errorf("%w: db[0] has no \"data\"", ErrNotGhost)
		case "meta":
			var meta struct {
				Version string `json:"version"`
			}
			if err := g.decode(&meta); err != nil {
				return err
			}
			g.version = meta.Version
		case "data":
			return g.delim('{')
		default:
			if err := g.skip(); err != nil {
				return err
			}
		}
	}
}

// key reads the object's keys up to want, skipping the others.
func (g *ghostFile) key(want, missing string) error {
	for {
		k, err := g.nextKey()
		if err != nil {
			return err
		}
		if k == want {
			return nil
		}
		if k == "" {
			return g.errorf("%w: %s", ErrNotGhost, missing)
		}
		if err := g.skip(); err != nil {
			return err
		}
	}
}

// nextKey is the object's next key, "" at its end.
func (g *ghostFile) nextKey() (string, error) {
	tok, err := g.token()
	if err != nil {
		return "", err
	}
	switch t := tok.(type) {
	case string:
		return t, nil
	case json.Delim:
		if t == '}' {
			return "", nil
		}
	}
	return "", g.errorf("%w: it has %v where a key should be", ErrNotGhost, tok)
}

// NextTable advances to the next table of data and returns its name, or
// "" after the last one.
func (g *ghostFile) nextTable() (string, error) {
	for {
		k, err := g.nextKey()
		if err != nil || k == "" {
			g.table = ""
			return "", err
		}
		if !g.dec.More() {
			return "", g.errorf("the table %q has no value", k)
		}
		tok, err := g.token()
		if err != nil {
			return "", err
		}
		if tok != json.Delim('[') {
			// Not a table of rows: a value to pass over.
			if d, ok := tok.(json.Delim); ok && d == '{' {
				if err := g.skipRest(); err != nil {
					return "", err
				}
			}
			continue
		}
		g.table, g.row = k, 0
		return k, nil
	}
}

// nextRow decodes the table's next row into v; false after the last.
func (g *ghostFile) nextRow(v any) (bool, error) {
	if !g.dec.More() {
		if _, err := g.token(); err != nil { // the closing ]
			return false, err
		}
		return false, nil
	}
	g.row++
	return true, g.decode(v)
}

// skipTable passes over the rest of the table, counting its rows.
func (g *ghostFile) skipTable() (rows int, err error) {
	for {
		var raw json.RawMessage
		ok, err := g.nextRow(&raw)
		if err != nil || !ok {
			return g.row, err
		}
	}
}

// decode reads one value, bounded by MaxItemBytes.
func (g *ghostFile) decode(v any) error {
	g.lim.n = 0
	if err := g.dec.Decode(v); err != nil {
		return g.fail(err)
	}
	return nil
}

// skip passes over one value (an object or array read token by token).
func (g *ghostFile) skip() error {
	tok, err := g.token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); ok && (d == '{' || d == '[') {
		return g.skipRest()
	}
	return nil
}

// skipRest passes over the rest of the object or array just opened.
func (g *ghostFile) skipRest() error {
	for depth := 1; depth > 0; {
		tok, err := g.token()
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
	return nil
}

func (g *ghostFile) delim(want json.Delim) error {
	tok, err := g.token()
	if err != nil {
		return err
	}
	if tok != want {
		return g.errorf("%w: it has %v where %v should open", ErrNotGhost, tok, want)
	}
	return nil
}

func (g *ghostFile) token() (json.Token, error) {
	g.lim.n = 0
	tok, err := g.dec.Token()
	if err != nil {
		return nil, g.fail(err)
	}
	return tok, nil
}

// fail says what went wrong reading, and where.
func (g *ghostFile) fail(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return g.errorf("the file ends early (is it cut short?)")
	case errors.Is(err, ErrTooLarge):
		return g.errorf("%w (over %d MiB)", ErrTooLarge, MaxItemBytes>>20)
	case errors.As(err, &syn):
		return g.errorf("the JSON is malformed at byte %d: %w", syn.Offset, err)
	case errors.As(err, &typ):
		return g.errorf("the field %q holds %s, not what a Ghost export has there", typ.Field, typ.Value)
	}
	return g.errorf("%w", err)
}

// errorf says where in the file the problem is: the table and row.
func (g *ghostFile) errorf(format string, args ...any) error {
	where := g.name
	if g.table != "" {
		where += fmt.Sprintf(" (%s row %d)", g.table, g.row)
	}
	return fmt.Errorf("%s: %w", where, fmt.Errorf(format, args...))
}
