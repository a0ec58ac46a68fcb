package metainfo

import (
	"strings"
	"testing"
)

func TestScanInt(t *testing.T) {
	for in, want := range map[string]int64{
		"i0e":                    0,
		"i-1e":                   -1,
		"i9223372036854775807e":  9223372036854775807,
		"i-9223372036854775808e": -9223372036854775808,
		"i1234567e":              1234567,
	} {
		v, err := parseValue([]byte(in))
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if got, _ := v.int(""); got != want {
			t.Errorf("%s = %d, want %d", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"i9223372036854775808e":             "does not fit",
		"i-9223372036854775809e":            "does not fit",
		"i-0e":                              "leading zero",
		"i00e":                              "leading zero",
		"ie":                                "empty number",
		"i-e":                               "empty number",
		"i1x2e":                             "bad digit",
		"i12":                               "unterminated number",
		"i" + strings.Repeat("1", 30) + "e": "too long",
		"01:a":                              "leading zero",
		"5:abc":                             "claims 5 bytes but only 3 remain",
		"x":                                 "unexpected byte",
		"l":                                 "unterminated a list",
		"di1ei2ee":                          "dictionary key at byte 1 is not a string",
		"d1:ae":                             "key at byte 1 has no value",
		"d1:a":                              "unexpected end of input",
	} {
		_, err := parseValue([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseValue(%q) = %v, want error containing %q", in, err, want)
		}
	}
}

func TestDictAndList(t *testing.T) {
	v, err := parseValue([]byte("d1:bli1e3:abce1:ad1:xi2eee"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := v.dict("top")
	if err != nil || len(d) != 2 || d[0].key != "b" || d[1].key != "a" {
		t.Fatalf("dict = %+v, %v", d, err)
	}
	var kinds []byte
	b, _ := d.get("b")
	if err := b.eachItem("b", func(i int, item value) error { kinds = append(kinds, item.kind()); return nil }); err != nil {
		t.Fatal(err)
	}
	if string(kinds) != "is" {
		t.Errorf("kinds = %q", kinds)
	}
	a, _ := d.get("a")
	if _, err := a.int("top.a"); err == nil || err.Error() != "top.a: want an integer, got a dictionary" {
		t.Errorf("wrong type error = %v", err)
	}
	if _, ok := d.get("missing"); ok {
		t.Error("get(missing) found something")
	}
}
