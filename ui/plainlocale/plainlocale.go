// Package plainlocale keeps Fyne quiet under the "C" locale of servers,
// containers and CI (LANG=C.UTF-8): Fyne's lang package parses "C" as a
// language tag at start-up, fails, and logs an error on every run of every
// subcommand. BCP 47 has no "C"; its meaning is plain English, so when the
// message locale is C or POSIX and LANGUAGE is unset, this sets LANGUAGE=en.
// glibc ignores LANGUAGE under the C locale, so child processes see no
// difference.
//
// It must be initialised before fyne.io/fyne/v2/lang: main imports it first,
// and having no dependencies beyond os, it is ready long before Fyne's
// translations (which wait for golang.org/x/text).
package plainlocale

import (
	"os"
	"strings"
)

func init() {
	if os.Getenv("LANGUAGE") != "" {
		return
	}
	if IsPlain(messageLocale()) {
		os.Setenv("LANGUAGE", "en")
	}
}

// messageLocale is the locale messages are in, by POSIX precedence.
func messageLocale() string {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := os.Getenv(name); v != "" {
			return v
		}
	}
	return ""
}

// IsPlain reports whether locale is the C/POSIX locale, with or without a
// codeset ("C", "C.UTF-8", "POSIX").
func IsPlain(locale string) bool {
	lang, _, _ := strings.Cut(locale, ".")
	lang, _, _ = strings.Cut(lang, "@")
	return lang == "C" || lang == "POSIX"
}
