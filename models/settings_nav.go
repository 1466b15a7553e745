package models

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// NavItem is one link of the header's menu: a label and what it leads to,
// a page by its slug, a tag, an author by username, or a web address.
type NavItem struct {
	Label  string `json:"label"`
	Kind   string `json:"kind"`
	Target string `json:"target"`
}

// NavItems are the menu's links in order, stored as a JSON array.
type NavItems = JSONList[NavItem]

// What a menu link leads to.
const (
	NavPage   = "page"
	NavTag    = "tag"
	NavAuthor = "author"
	NavURL    = "url"
)

// NavKinds are the kinds of menu link, in the order the form offers them.
var NavKinds = []string{NavPage, NavTag, NavAuthor, NavURL}

// Check is Validate with what only the database knows: that each page
// of the menu is public and each author an active account. Validate the
// Normalized input; Save checks again in its transaction.
func (m *SettingsModel) Check(ctx context.Context, in SiteInput) (map[string]string, error) {
	errs := in.Validate()
	nav, err := navTargetProblems(ctx, m.DB, in.Nav)
	if err != nil {
		return nil, err
	}
	for k, v := range nav {
		if _, ok := errs[k]; !ok {
			errs[k] = v
		}
	}
	return errs, nil
}

// NavProblems are the menu links whose page or author readers cannot see
// (any more): the settings page points them out when it opens.
func (m *SettingsModel) NavProblems(ctx context.Context, nav NavItems) (map[string]string, error) {
	return navTargetProblems(ctx, m.DB, nav)
}

// A menu's pages and authors as readers would find them: a page that is
// not public or an account that is not active answers 404, so the menu
// may not lead there. Deleted pages are no pages.
const (
	navPagesSQL = `SELECT p.slug AS name, (` + publicPost + `) AS public FROM posts p
WHERE p.slug = ANY($1) AND p.kind = 'page' AND p.deleted_at IS NULL`
	navAuthorsSQL = `SELECT username AS name, state = 'active' AS public FROM users WHERE username = ANY($1)`
)

// navTargetProblems returns a message, keyed by nav_target_N, for each
// page or author link that leads nowhere a reader may go. Links Validate
// refuses are left to it.
func navTargetProblems(ctx context.Context, q sqlx.QueryerContext, nav NavItems) (map[string]string, error) {
	slugs, names := []string{}, []string{}
	for _, it := range nav {
		switch {
		case !navTargetWellFormed(it):
		case it.Kind == NavPage:
			slugs = append(slugs, it.Target)
		case it.Kind == NavAuthor:
			names = append(names, it.Target)
		}
	}
	pages, err := readerVisible(ctx, q, navPagesSQL, slugs)
	if err != nil {
		return nil, err
	}
	authors, err := readerVisible(ctx, q, navAuthorsSQL, names)
	if err != nil {
		return nil, err
	}
	errs := map[string]string{}
	for i, it := range nav {
		key := "nav_target_" + strconv.Itoa(i+1)
		if !navTargetWellFormed(it) {
			continue
		}
		switch it.Kind {
		case NavPage:
			if public, found := pages[it.Target]; !found {
				errs[key] = fmt.Sprintf("There is no page at the address %q: give the slug of one of the site's pages, such as about.", it.Target)
			} else if !public {
				errs[key] = fmt.Sprintf("The page %q is not published, so readers would find nothing there: publish it first.", it.Target)
			}
		case NavAuthor:
			if public, found := authors[it.Target]; !found {
				errs[key] = fmt.Sprintf("No one has the username %q.", it.Target)
			} else if !public {
				errs[key] = fmt.Sprintf("The account %q is suspended, so readers cannot see its page.", it.Target)
			}
		}
	}
	return errs, nil
}

// readerVisible runs one of the menu's target queries for names: whether
// each one found is public.
func readerVisible(ctx context.Context, q sqlx.QueryerContext, query string, names []string) (map[string]bool, error) {
	found := map[string]bool{}
	if len(names) == 0 {
		return found, nil
	}
	var rows []struct {
		Name   string `db:"name"`
		Public bool   `db:"public"`
	}
	if err := sqlx.SelectContext(ctx, q, &rows, query, pq.Array(names)); err != nil {
		return nil, fmt.Errorf("models: menu targets: %w", err)
	}
	for _, r := range rows {
		found[r.Name] = r.Public
	}
	return found, nil
}
