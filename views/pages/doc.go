// Package pages holds the templ components of Quire's pages outside the
// admin area: reading (posts, lists, authors, search), writing (the editor,
// revisions, drafts, media), the account forms and the error page. A page
// comes with the fragments htmx swaps (ListPage and ListContent, PostPage
// and PostArticle), so a handler renders the whole page or just the part;
// each takes a view model shaped like the page, never a database row.
package pages
