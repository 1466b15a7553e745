// Package assets serves Quire's static files (CSS, images and the pinned
// htmx build copied from npm) under content-hashed names, so browsers may
// cache them forever and a new release is fetched at once.
package assets

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

//go:embed all:static
var files embed.FS

// Prefix is where assets are served.
const Prefix = "/assets/"

type asset struct {
	name string // logical name, e.g. "css/site.css"
	data []byte
	etag string
}

var (
	once   sync.Once
	byHash map[string]*asset // "css/site.3f2a9c1b.css" -> asset
	hashed map[string]string // "css/site.css" -> "css/site.3f2a9c1b.css"
)

func load() {
	byHash, hashed = map[string]*asset{}, map[string]string{}
	static, _ := fs.Sub(files, "static")
	_ = fs.WalkDir(static, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(path.Base(p), ".") {
			return err
		}
		data, err := fs.ReadFile(static, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		h := hex.EncodeToString(sum[:])[:12]
		ext := path.Ext(p)
		name := strings.TrimSuffix(p, ext) + "." + h + ext
		byHash[name] = &asset{name: p, data: data, etag: `"` + h + `"`}
		hashed[p] = name
		return nil
	})
}

// Path returns the URL of a static file by its logical name, e.g.
// Path("css/site.css") == "/assets/css/site.3f2a9c1b4d5e.css".
func Path(name string) string {
	once.Do(load)
	if h, ok := hashed[name]; ok {
		return Prefix + h
	}
	return Prefix + name
}

// Handler serves hashed names with a year-long immutable cache lifetime.
// Unknown names are 404: an old hash after a release is not served stale.
func Handler() http.Handler {
	once.Do(load)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := byHash[strings.TrimPrefix(r.URL.Path, Prefix)]
		if !ok {
			http.NotFound(w, r)
			return
		}
		ct := mime.TypeByExtension(path.Ext(a.name))
		if ct == "" {
			ct = "application/octet-stream"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		w.Header().Set("ETag", a.etag)
		// ServeContent answers If-None-Match (against the ETag above),
		// Range and HEAD.
		http.ServeContent(w, r, a.name, time.Time{}, bytes.NewReader(a.data))
	})
}
