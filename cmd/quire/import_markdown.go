package main

import (
	"errors"
	"fmt"
	"os"
)

// markdownFolder is what PATH is for quire import markdown.
const markdownFolder = "a folder of .md files (Hugo, Jekyll, quire export); its images are read from it"

// markdownHelp says, under the formats, what a Markdown folder's files give.
const markdownHelp = `
A Markdown folder: every .md file under it (recursively) with YAML (---) or TOML (+++) front
matter, as Hugo and Jekyll write them, or as quire export wrote them: title, date, draft, slug
(else the file's name), tags and categories (both become tags), aliases and redirect_from
(old addresses that redirect, as does where Hugo or Jekyll put the file), description (the
excerpt), author, cover. Images the files show by path are imported as media. A file
without an author goes to the site's first administrator; one dated in the future is
scheduled for that time.`

// checkFolder says plainly when dir is missing or not a folder.
func checkFolder(dir string) error {
	st, err := os.Stat(dir) // #nosec G703 -- the operator names the folder to import
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("there is no folder %s", dir)
	case err != nil:
		return err
	case !st.IsDir():
		return fmt.Errorf("%s is not a folder", dir)
	}
	return nil
}
