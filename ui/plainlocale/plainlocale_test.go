package plainlocale

import "testing"

func TestIsPlain(t *testing.T) {
	for locale, want := range map[string]bool{
		"C": true, "C.UTF-8": true, "C.utf8": true, "POSIX": true,
		"en_US.UTF-8": false, "de_DE@euro": false, "": false, "Ca_ES": false,
	} {
		if got := IsPlain(locale); got != want {
			t.Errorf("IsPlain(%q) = %v, want %v", locale, got, want)
		}
	}
}
