package metainfo

import (
	"errors"
	"fmt"
	"math"
)

// maxDepth caps how deeply lists and dictionaries may nest. Real torrents
// nest four or five levels; the cap keeps a hostile file from driving the
// (recursive) scanner into a stack overflow.
const maxDepth = 64

// value is one bencoded value, exactly as its bytes appear in the input.
// Values are only ever made by the scanner below, after the whole input has
// been validated, so the accessors can trust their structure.
type value []byte

// kind reports the bencode type: 'i' integer, 'l' list, 'd' dictionary,
// 's' byte string.
func (v value) kind() byte {
	if len(v) == 0 {
		return 0
	}
	switch v[0] {
	case 'i', 'l', 'd':
		return v[0]
	}
	return 's'
}

func kindName(k byte) string {
	switch k {
	case 'i':
		return "an integer"
	case 'l':
		return "a list"
	case 'd':
		return "a dictionary"
	case 's':
		return "a string"
	}
	return "nothing"
}

// errWrongType says that field holds the wrong kind of value.
func errWrongType(field string, want byte, v value) error {
	return fmt.Errorf("%s: want %s, got %s", field, kindName(want), kindName(v.kind()))
}

// parseValue validates that data is exactly one bencoded value (nothing
// after it) nested at most maxDepth deep, and returns it.
func parseValue(data []byte) (value, error) {
	if len(data) == 0 {
		return nil, errors.New("bencode: empty input")
	}
	end, err := scan(data, 0, 0)
	if err != nil {
		return nil, err
	}
	if end != len(data) {
		return nil, fmt.Errorf("bencode: %d bytes of trailing data after the value ending at byte %d", len(data)-end, end)
	}
	return value(data), nil
}

// scan validates the value starting at data[pos] and returns the offset just
// past it. It allocates nothing: string lengths are checked against the
// input before anything trusts them.
func scan(data []byte, pos, depth int) (int, error) {
	if pos >= len(data) {
		return 0, fmt.Errorf("bencode: unexpected end of input at byte %d", pos)
	}
	switch c := data[pos]; {
	case c == 'i':
		_, end, err := scanInt(data, pos+1, 'e')
		if err != nil {
			return 0, err
		}
		return end, nil
	case c == 'l' || c == 'd':
		if depth >= maxDepth {
			return 0, fmt.Errorf("bencode: nesting deeper than %d levels at byte %d", maxDepth, pos)
		}
		p := pos + 1
		for {
			if p >= len(data) {
				return 0, fmt.Errorf("bencode: unterminated %s starting at byte %d", kindName(c), pos)
			}
			if data[p] == 'e' {
				return p + 1, nil
			}
			if c == 'd' {
				if data[p] < '0' || data[p] > '9' {
					return 0, fmt.Errorf("bencode: dictionary key at byte %d is not a string", p)
				}
				keyAt := p
				var err error
				if p, err = scan(data, p, depth+1); err != nil {
					return 0, err
				}
				if p < len(data) && data[p] == 'e' {
					return 0, fmt.Errorf("bencode: dictionary key at byte %d has no value", keyAt)
				}
			}
			var err error
			if p, err = scan(data, p, depth+1); err != nil {
				return 0, err
			}
		}
	case c >= '0' && c <= '9':
		n, colon, err := scanInt(data, pos, ':')
		if err != nil {
			return 0, err
		}
		if n < 0 || n > int64(len(data)-colon) {
			return 0, fmt.Errorf("bencode: string at byte %d claims %d bytes but only %d remain", pos, n, len(data)-colon)
		}
		return colon + int(n), nil
	default:
		return 0, fmt.Errorf("bencode: unexpected byte %q at byte %d", c, pos)
	}
}

// scanInt reads a decimal integer starting at data[pos] and terminated by
// term, returning the number and the offset just past term. Leading zeros,
// "-0" and values outside int64 are rejected, as BEP 3 requires.
func scanInt(data []byte, pos int, term byte) (int64, int, error) {
	end := pos
	for end < len(data) && data[end] != term {
		if end-pos > 20 {
			return 0, 0, fmt.Errorf("bencode: number at byte %d is too long", pos)
		}
		end++
	}
	if end >= len(data) {
		return 0, 0, fmt.Errorf("bencode: unterminated number at byte %d", pos)
	}
	digits := data[pos:end]
	neg := len(digits) > 0 && digits[0] == '-'
	body := digits
	if neg {
		body = digits[1:]
	}
	if len(body) == 0 {
		return 0, 0, fmt.Errorf("bencode: empty number at byte %d", pos)
	}
	for _, d := range body {
		if d < '0' || d > '9' {
			return 0, 0, fmt.Errorf("bencode: bad digit %q in number at byte %d", d, pos)
		}
	}
	if body[0] == '0' && (len(body) > 1 || neg) {
		return 0, 0, fmt.Errorf("bencode: number %q at byte %d has a leading zero", digits, pos)
	}
	// Accumulate negatively so that -9223372036854775808 fits too.
	var n int64
	for _, d := range body {
		if n < (math.MinInt64+int64(d-'0'))/10 {
			return 0, 0, fmt.Errorf("bencode: number %q at byte %d does not fit in 64 bits", digits, pos)
		}
		n = n*10 - int64(d-'0')
	}
	if !neg {
		if n == math.MinInt64 {
			return 0, 0, fmt.Errorf("bencode: number %q at byte %d does not fit in 64 bits", digits, pos)
		}
		n = -n
	}
	return n, end + 1, nil
}

// str returns the contents of a string value.
func (v value) str(field string) ([]byte, error) {
	if v.kind() != 's' {
		return nil, errWrongType(field, 's', v)
	}
	n, colon, _ := scanInt(v, 0, ':')
	return v[colon : colon+int(n)], nil
}

// text is str as a Go string.
func (v value) text(field string) (string, error) {
	b, err := v.str(field)
	return string(b), err
}

// int returns the number in an integer value.
func (v value) int(field string) (int64, error) {
	if v.kind() != 'i' {
		return 0, errWrongType(field, 'i', v)
	}
	n, _, _ := scanInt(v, 1, 'e')
	return n, nil
}

// eachItem calls fn for every element of a list value, stopping at the first
// error.
func (v value) eachItem(field string, fn func(i int, item value) error) error {
	if v.kind() != 'l' {
		return errWrongType(field, 'l', v)
	}
	p := 1
	for i := 0; v[p] != 'e'; i++ {
		end, _ := scan(v, p, 0)
		if err := fn(i, v[p:end]); err != nil {
			return err
		}
		p = end
	}
	return nil
}

// dict is a dictionary's entries in file order. Keys are not required to be
// sorted: the info hash is taken over the bytes as they are, so a torrent
// with unsorted keys is still the torrent its creator published.
type dict []dictEntry

type dictEntry struct {
	key string
	val value
}

// dict splits a dictionary value into its entries.
func (v value) dict(field string) (dict, error) {
	if v.kind() != 'd' {
		return nil, errWrongType(field, 'd', v)
	}
	var d dict
	p := 1
	for v[p] != 'e' {
		keyEnd, _ := scan(v, p, 0)
		key, _ := value(v[p:keyEnd]).str(field)
		valEnd, _ := scan(v, keyEnd, 0)
		d = append(d, dictEntry{key: string(key), val: v[keyEnd:valEnd]})
		p = valEnd
	}
	return d, nil
}

// get returns the value of key; when a hostile file repeats a key, the first
// one counts.
func (d dict) get(key string) (value, bool) {
	for _, e := range d {
		if e.key == key {
			return e.val, true
		}
	}
	return nil, false
}
