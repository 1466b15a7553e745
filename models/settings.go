package models

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/sync/singleflight"

	"quire/models/markdown"
)

// SocialLink is a link to one of the owner's profiles elsewhere, shown in
// the footer with rel="me".
type SocialLink struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// SocialLinks are stored as a JSON array.
type SocialLinks = JSONList[SocialLink]

// JSONList is a repeated setting stored as a JSON array (the profile
// links, the menu).
type JSONList[T any] []T

// Value implements driver.Valuer.
func (l JSONList[T]) Value() (driver.Value, error) {
	if l == nil {
		l = JSONList[T]{}
	}
	b, err := json.Marshal(l)
	return string(b), err
}

// Scan implements sql.Scanner.
func (l *JSONList[T]) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return fmt.Errorf("models: settings list: cannot scan %T", src)
	}
	return json.Unmarshal(b, l)
}

// SiteInput is what an admin sets on /admin/settings.
type SiteInput struct {
	Title        string      `db:"title"`
	Tagline      string      `db:"tagline"` // the default meta description and feed description
	Language     string      `db:"language"`
	TimeZone     string      `db:"time_zone"`
	PostsPerPage int         `db:"posts_per_page"`
	Footer       string      `db:"footer"` // Markdown
	SocialLinks  SocialLinks `db:"social_links"`
	Accent       string      `db:"accent"` // "" for the theme's own colours
	CustomCSS    string      `db:"custom_css"`
	Registration string      `db:"registration"`
	Nav          NavItems    `db:"navigation"` // the header's menu, in order
	// Media keys of uploaded images, "" for none.
	Logo        string `db:"logo_key"`
	Favicon     string `db:"favicon_key"` // square, with FaviconSizes copies
	SocialImage string `db:"social_image_key"`
	// Comments (comments_rules.go): who may comment, after how many days
	// a post's comments close (0: never), how many links a comment may
	// carry before it is held, and words or addresses that hold it.
	Comments          string `db:"comments"`
	CommentsCloseDays int    `db:"comments_close_days"`
	CommentsMaxLinks  int    `db:"comments_max_links"`
	CommentsBlocklist string `db:"comments_blocklist"`
	CommentsNotify    string `db:"comments_notify"`   // who hears of new comments (comment_notify.go)
	CommentsPerPage   int    `db:"comments_per_page"` // threads on a post page
}

// Image is the key field of the settings' image called name (logo,
// favicon, social_image), nil for none.
func (in *SiteInput) Image(name string) *string {
	return map[string]*string{"logo": &in.Logo, "favicon": &in.Favicon, "social_image": &in.SocialImage}[name]
}

// FaviconSizes are the copies made of the favicon: the browser tab's, the
// Apple touch icon's and Android's.
var FaviconSizes = []int{32, 180, 192}

// MinFaviconSize is the smallest favicon taken: every copy is made smaller.
const MinFaviconSize = 256

// Settings are the site's settings as stored, with what is derived from
// them once per change.
type Settings struct {
	SiteInput
	Version   int64     `db:"version"` // 0 until the first save
	UpdatedAt time.Time `db:"updated_at"`

	FooterHTML string // the footer rendered and sanitised
	// Stylesheet is the CSS the settings add to the theme's (the accent
	// colour and the custom CSS), served at a URL named by StylesheetHash.
	Stylesheet     string
	StylesheetHash string
	loc            *time.Location
}

// DefaultSettings are a new site's: what sql/00011 inserts.
func DefaultSettings() Settings {
	s := Settings{SiteInput: SiteInput{Title: "Quire", Language: "en", TimeZone: "UTC", PostsPerPage: 10,
		SocialLinks: SocialLinks{}, Registration: RegistrationClosed, Nav: NavItems{},
		Comments: CommentsAccounts, CommentsMaxLinks: 2, CommentsNotify: CommentNotifyHeld,
		CommentsPerPage: DefaultCommentsPerPage}}
	s.derive()
	return s
}

// Location is the site's time zone, in which dates are shown.
func (s Settings) Location() *time.Location {
	if s.loc == nil {
		return time.UTC
	}
	return s.loc
}

// derive fills what is computed from the stored fields. Stored settings
// passed validation, so nothing here fails; if the rules tighten later, a
// setting saved before falls back to its default instead.
func (s *Settings) derive() {
	s.loc = time.UTC
	if loc, err := time.LoadLocation(s.TimeZone); err == nil {
		s.loc = loc
	}
	s.FooterHTML = ""
	if html, err := markdown.Render(s.Footer); err == nil {
		s.FooterHTML = html
	}
	s.Stylesheet = ""
	if s.Accent != "" {
		s.Stylesheet = ":root { --accent: " + s.Accent + "; }\n"
	}
	s.Stylesheet += s.CustomCSS
	sum := sha256.Sum256([]byte(s.Stylesheet))
	s.StylesheetHash = hex.EncodeToString(sum[:])[:16]
}

// SettingsModel reads and saves the site's settings, and keeps the current
// ones in memory: each replica reads them once per change, when a stamp
// query (PostModel.ChangeStamp, ResolveHead) or Current shows a newer
// version than the one it holds.
type SettingsModel struct {
	DB *sqlx.DB

	kept  atomic.Pointer[Settings]
	loads singleflight.Group
	stmts stmtCache
	// Changes, when set, keeps the version in memory while changes are
	// pushed (listen.go); nil: Current asks for it every time.
	Changes *Changes
}

const settingsColumns = `title, tagline, language, time_zone, posts_per_page, footer, social_links, accent,
	custom_css, registration, logo_key, favicon_key, social_image_key, navigation, comments, comments_close_days,
	comments_max_links, comments_blocklist, comments_notify, comments_per_page, version, updated_at`

const getSettingsSQL = `SELECT ` + settingsColumns + ` FROM site_settings WHERE id = 1`

// Get reads the settings from the database.
func (m *SettingsModel) Get(ctx context.Context) (Settings, error) {
	var s Settings
	err := m.DB.GetContext(ctx, &s, getSettingsSQL)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultSettings(), nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("models: get settings: %w", err)
	}
	s.derive()
	m.keep(s)
	return s, nil
}

// At returns the settings at version or newer: the kept ones when they
// are, else read afresh (once, however many requests ask at a time).
func (m *SettingsModel) At(ctx context.Context, version int64) (Settings, error) {
	if s := m.kept.Load(); s != nil && s.Version >= version {
		return *s, nil
	}
	ch := m.loads.DoChan("get", func() (any, error) {
		// Not the first caller's context: its end must not fail the others.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		return m.Get(ctx)
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return Settings{}, r.Err
		}
		return r.Val.(Settings), nil
	case <-ctx.Done():
		return Settings{}, ctx.Err()
	}
}

const settingsVersionSQL = `SELECT version FROM site_settings WHERE id = 1`

// Current returns the settings as they are now, asking the database only
// for their version unless it moved: for pages that read no stamp.
func (m *SettingsModel) Current(ctx context.Context) (Settings, error) {
	v, err := remember(m.Changes, changeKey{query: settingsVersionSQL}, func() (int64, error) {
		var v int64
		st, err := m.stmts.stmt(ctx, m.DB, settingsVersionSQL)
		if err == nil {
			err = st.QueryRowContext(ctx).Scan(&v)
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("models: settings version: %w", err)
		}
		return v, nil
	})
	if err != nil {
		return Settings{}, err
	}
	return m.At(ctx, v)
}

// Kept returns the settings last read, or the defaults before any (or
// without a model): for pages that must not wait on the database (its
// error pages).
func (m *SettingsModel) Kept() Settings {
	if m == nil {
		return DefaultSettings()
	}
	if s := m.kept.Load(); s != nil {
		return *s
	}
	return DefaultSettings()
}

// keep remembers s unless newer settings are kept already.
func (m *SettingsModel) keep(s Settings) {
	for {
		old := m.kept.Load()
		if old != nil && old.Version >= s.Version {
			return
		}
		if m.kept.CompareAndSwap(old, &s) {
			return
		}
	}
}

const lockSettingsSQL = `SELECT ` + settingsColumns + ` FROM site_settings WHERE id = 1 FOR UPDATE`

// updated_at moves forward even when the clock does not (two saves in one
// microsecond, a clock set back): pages' Last-Modified follows it.
const updateSettingsSQL = `UPDATE site_settings SET title = $1, tagline = $2, language = $3, time_zone = $4,
	posts_per_page = $5, footer = $6, social_links = $7, accent = $8, custom_css = $9, registration = $10,
	logo_key = $11, favicon_key = $12, social_image_key = $13, navigation = $14, comments = $15,
	comments_close_days = $16, comments_max_links = $17, comments_blocklist = $18, comments_notify = $19, comments_per_page = $20, version = version + 1, updated_at = greatest(now(), updated_at + interval '1 microsecond')
WHERE id = 1 RETURNING ` + settingsColumns

// Save stores in over the settings at version (ErrConflict if someone
// saved since) and audits what changed, in one transaction. in must have
// passed Check; Save normalises it and checks it again (the menu's pages
// and authors in the transaction), and refuses it with an
// *InvalidSettingsError otherwise.
func (m *SettingsModel) Save(ctx context.Context, actor Actor, version int64, in SiteInput) (Settings, error) {
	in = in.normalized()
	if errs := in.Validate(); len(errs) > 0 {
		return Settings{}, &InvalidSettingsError{Fields: errs}
	}
	var saved Settings
	err := inTx(ctx, m.DB, func(tx *sqlx.Tx) error {
		var before Settings
		if err := tx.GetContext(ctx, &before, lockSettingsSQL); err != nil {
			return err
		}
		if before.Version != version {
			return ErrConflict
		}
		errs, err := navTargetProblems(ctx, tx, in.Nav)
		if err != nil {
			return err
		}
		if len(errs) > 0 {
			return &InvalidSettingsError{Fields: errs}
		}
		err = tx.GetContext(ctx, &saved, updateSettingsSQL, in.Title, in.Tagline, in.Language, in.TimeZone,
			in.PostsPerPage, in.Footer, in.SocialLinks, in.Accent, in.CustomCSS, in.Registration, in.Logo, in.Favicon,
			in.SocialImage, in.Nav, in.Comments, in.CommentsCloseDays, in.CommentsMaxLinks, in.CommentsBlocklist,
			in.CommentsNotify, in.CommentsPerPage)
		if err != nil {
			return err
		}
		b, a := diff(before.auditFields(), saved.auditFields())
		return Audit(ctx, tx, actor, AuditEntry{Model: "settings", ObjectID: 1, Action: "edit", Before: b, After: a})
	})
	if errors.Is(err, ErrConflict) || errors.Is(err, ErrInvalidSettings) {
		return Settings{}, err
	}
	if err != nil {
		return Settings{}, fmt.Errorf("models: save settings: %w", err)
	}
	saved.derive()
	m.keep(saved)
	return saved, nil
}

// ErrInvalidSettings is a save of settings that did not pass Check.
var ErrInvalidSettings = errors.New("invalid settings")

// InvalidSettingsError is ErrInvalidSettings with its messages, keyed by
// form field as Validate's.
type InvalidSettingsError struct{ Fields map[string]string }

func (e *InvalidSettingsError) Error() string {
	return fmt.Sprintf("models: save settings: %v: %v", ErrInvalidSettings, e.Fields)
}

// Is makes errors.Is(err, ErrInvalidSettings) true.
func (e *InvalidSettingsError) Is(target error) bool { return target == ErrInvalidSettings }

// auditFields are the settings as the audit log records them. The custom
// CSS (up to 64 KiB) is recorded by size and hash: the log says that it
// changed, and when, without holding every version of it.
func (s Settings) auditFields() map[string]any {
	links := make([]any, len(s.SocialLinks))
	for i, l := range s.SocialLinks {
		links[i] = map[string]any{"label": l.Label, "url": l.URL}
	}
	nav := make([]any, len(s.Nav))
	for i, l := range s.Nav {
		nav[i] = map[string]any{"label": l.Label, "kind": l.Kind, "target": l.Target}
	}
	css := ""
	if s.CustomCSS != "" {
		sum := sha256.Sum256([]byte(s.CustomCSS))
		css = fmt.Sprintf("%d bytes, sha256 %s", len(s.CustomCSS), hex.EncodeToString(sum[:])[:12])
	}
	return map[string]any{
		"title": s.Title, "tagline": s.Tagline, "language": s.Language, "time_zone": s.TimeZone,
		"posts_per_page": s.PostsPerPage, "footer": s.Footer, "social_links": links, "accent": s.Accent,
		"custom_css": css, "registration": s.Registration, "logo": s.Logo, "favicon": s.Favicon,
		"social_image": s.SocialImage, "navigation": nav, "comments": s.Comments,
		"comments_close_days": s.CommentsCloseDays, "comments_max_links": s.CommentsMaxLinks,
		"comments_blocklist": s.CommentsBlocklist, "comments_notify": s.CommentsNotify,
		"comments_per_page": s.CommentsPerPage,
	}
}
